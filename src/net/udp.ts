import * as dgram from 'node:dgram';
import { endpoint } from './endpoint.js';
import { formatHostPort, netError } from './errno.js';
import { createBoundSocket } from './native-socket.js';
import { resolveAll, resolveHost, sourceFor } from './resolve.js';
import { udpSocketFd } from './socket-fd.js';
import { applySocketOptions, hasOptions } from './socket-options.js';
import type { ListenTransportOptions, TransportOptions } from './transport-options.js';
import { UdpChannel } from './udp-channel.js';

export type UdpOptions = TransportOptions & Pick<ListenTransportOptions, 'maxClients' | 'access'>;

/** Opens a dgram socket bound to address:port with every option set, before-bind ones first. */
export async function openSocket(
  family: 4 | 6,
  address: string,
  port: number,
  options: UdpOptions,
  op: 'bind' | 'listen',
) {
  // A listener of one family leaves the other's port alone (IPV6_V6ONLY, as ncat's).
  const v6only = op === 'listen' && family === 6;
  const socket = dgram.createSocket({
    type: family === 6 ? 'udp6' : 'udp4',
    reuseAddr: options.socket.reuseaddr,
    ipv6Only: v6only,
  });
  const label = formatHostPort(address, port);
  await new Promise<void>((resolve, reject) => {
    socket.once('error', (err) => reject(netError(op, label, err)));
    if (options.socket.reuseport) {
      let fd: number;
      try {
        fd = createBoundSocket({
          proto: 'udp',
          family,
          address,
          port,
          options: options.socket,
          op,
          v6only: v6only || undefined,
        });
      } catch (err) {
        reject(err);
        return;
      }
      socket.bind({ fd }, resolve);
    } else {
      socket.bind({ address, port }, resolve);
    }
  });
  socket.removeAllListeners('error');
  if (!options.socket.reuseport && hasOptions(options.socket)) {
    const fd = udpSocketFd(socket);
    try {
      if (fd === undefined) throw new Error('the UDP socket has no descriptor');
      applySocketOptions(fd, options.socket, 'udp', family === 6);
    } catch (err) {
      socket.close();
      throw err;
    }
  }
  return socket;
}

const wildcard = (family: 4 | 6) => (family === 6 ? '::' : '0.0.0.0');

/** A "connected" UDP socket: datagrams go to, and are accepted only from, host:port. */
export async function connectUdp(host: string, port: number, options: UdpOptions): Promise<UdpChannel> {
  // A datagram has no handshake to fail: the first address (of the source's family) is used.
  const bindAddr =
    options.source === undefined
      ? undefined
      : await resolveHost(options.source, options.sourcePort ?? 0, undefined, 'bind', options.noDns);
  const all = await resolveAll(host, port, options.family, 'connect', options.noDns);
  const target = (bindAddr ? sourceFor(options.source!, bindAddr, all) : all)[0]!;
  const source = bindAddr?.address;
  const socket = await openSocket(
    target.family,
    source ?? wildcard(target.family),
    options.sourcePort ?? 0,
    options,
    'bind',
  );
  const label = formatHostPort(target.address, port);
  await new Promise<void>((resolve, reject) => {
    socket.once('error', (err) => reject(netError('connect', label, err)));
    socket.connect(port, target.address, resolve);
  });
  socket.removeAllListeners('error');
  const local = socket.address();
  const channel = new UdpChannel(
    socket,
    endpoint(local.address, local.port, local.family),
    endpoint(target.address, port, target.family === 6 ? 'IPv6' : 'IPv4'),
    {
      connected: true,
      idleTimeoutMs: options.idleTimeoutMs,
      onClose: () => socket.close(),
    },
  );
  socket.on('message', (msg) => channel.deliver(msg));
  // An ICMP port unreachable surfaces here as ECONNREFUSED on the next receive.
  socket.on('error', (err) => channel.finish('error', netError('recv', label, err)));
  return channel;
}
