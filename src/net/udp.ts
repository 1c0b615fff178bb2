import * as dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import type { Channel, Endpoint } from './channel.js';
import { formatHostPort, netError } from './errno.js';
import { type Listener, type ListenerEventMap, limitReached } from './listener.js';
import { createBoundSocket } from './native-socket.js';
import { resolveHost, resolveSource } from './resolve.js';
import { udpSocketFd } from './socket-fd.js';
import { applySocketOptions, hasOptions } from './socket-options.js';
import { endpoint } from './tcp-channel.js';
import type { ListenTransportOptions, TransportOptions } from './transport-options.js';
import { UdpChannel } from './udp-channel.js';

export type UdpOptions = TransportOptions & Pick<ListenTransportOptions, 'maxClients' | 'access'>;

/** Opens a dgram socket bound to address:port with every option set, before-bind ones first. */
async function openSocket(
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
  const target = await resolveHost(host, port, options.family);
  const source = await resolveSource(options.source, options.sourcePort ?? 0, target);
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

/** A bound UDP socket that makes a channel for each new sender. */
export class UdpListener extends EventEmitter<ListenerEventMap> implements Listener {
  readonly proto = 'udp' as const;
  readonly channels = new Set<Channel>();
  private readonly peers = new Map<string, UdpChannel>();
  private readonly refusedPeers = new Set<string>();
  private accepting = true;

  constructor(
    private readonly socket: dgram.Socket,
    readonly address: Endpoint,
    private readonly options: UdpOptions,
  ) {
    super();
    socket.on('message', (msg, rinfo) => this.receive(msg, rinfo));
    socket.on('error', (err) =>
      this.emit('error', netError('recv', formatHostPort(address.address, address.port), err)),
    );
  }

  private receive(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const key = formatHostPort(rinfo.address, rinfo.port);
    let channel = this.peers.get(key);
    if (!channel) {
      const peer = endpoint(rinfo.address, rinfo.port, rinfo.family);
      const refusal = this.options.access?.refusal(peer.address);
      if (refusal) {
        // Its datagrams are dropped; only the first of each sender is reported.
        if (!this.refusedPeers.has(key)) {
          if (this.refusedPeers.size >= 4096) this.refusedPeers.clear();
          this.refusedPeers.add(key);
          this.emit('refused', peer, refusal);
        }
        return;
      }
      const max = this.options.maxClients;
      if (!this.accepting || (max !== undefined && this.peers.size >= max)) {
        this.emit('refused', peer, this.accepting ? limitReached(max!) : 'no longer accepting');
        return;
      }
      const created = new UdpChannel(this.socket, this.address, peer, {
        connected: false,
        idleTimeoutMs: this.options.idleTimeoutMs,
        onClose: () => {
          this.peers.delete(key);
          this.channels.delete(created);
        },
      });
      channel = created;
      this.peers.set(key, created);
      this.channels.add(created);
      this.emit('channel', created);
    }
    channel.deliver(msg);
  }

  stopAccepting(): void {
    this.accepting = false;
  }

  async close(): Promise<void> {
    this.accepting = false;
    await Promise.all([...this.peers.values()].map((channel) => channel.close()));
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}

export async function listenUdp(
  host: string | undefined,
  port: number,
  options: UdpOptions,
): Promise<UdpListener> {
  const { address, family } = await resolveHost(
    host ?? wildcard(options.family ?? 4),
    port,
    options.family,
    'listen',
  );
  const socket = await openSocket(family, address, port, options, 'listen');
  const bound = socket.address();
  return new UdpListener(socket, endpoint(bound.address, bound.port, bound.family), options);
}
