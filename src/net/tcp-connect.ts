import * as net from 'node:net';
import { formatDuration } from '../codec/units.js';
import { NetError } from '../errors.js';
import { formatHostPort, netError } from './errno.js';
import { createBoundSocket } from './native-socket.js';
import { openTunnel } from './proxy/proxy-tunnel.js';
import { resolveHost, resolveSource } from './resolve.js';
import { hasOptions } from './socket-options.js';
import { TcpChannel } from './tcp-channel.js';
import { secureClient } from './tls/tls-handshake.js';
import type { TransportOptions } from './transport-options.js';

export type TcpConnectOptions = TransportOptions & { borrowedReads?: boolean };

/**
 * Opens a TCP connection. When socket options are given, the descriptor is created and bound by us
 * so every option is in place before the SYN; otherwise Node's own path is used.
 */
export async function connectTcp(
  host: string,
  port: number,
  options: TcpConnectOptions,
): Promise<TcpChannel> {
  // Through a proxy, the TCP connection is to the proxy; the tunnel then reaches host:port.
  const proxy = options.proxy;
  const hop = proxy ? { host: proxy.host, port: proxy.port } : { host, port };
  const target = await resolveHost(hop.host, hop.port, options.family);
  const source = await resolveSource(options.source, options.sourcePort ?? 0, target);
  const label = formatHostPort(target.address, hop.port);
  // TCP_NODELAY alone Node sets itself: no need for koffi and a descriptor of our own.
  const native = hasOptions(options.socket, (s) => s.name !== 'nodelay');
  let socket: net.Socket;
  if (native) {
    const fd = createBoundSocket({
      proto: 'tcp',
      family: target.family,
      address: source ?? (options.sourcePort ? (target.family === 6 ? '::' : '0.0.0.0') : ''),
      port: options.sourcePort ?? 0,
      options: options.socket,
    });
    socket = new net.Socket({ fd, allowHalfOpen: true, pauseOnCreate: true } as net.SocketConstructorOpts);
    socket.connect({ host: target.address, port: hop.port });
  } else {
    socket = net.connect({
      host: target.address,
      port: hop.port,
      family: target.family,
      localAddress: source,
      localPort: options.sourcePort,
      allowHalfOpen: true,
      noDelay: options.socket.nodelay,
    });
  }
  const started = Date.now();
  await waitForConnect(socket, label, { ...options, source, family: target.family });
  if (proxy) {
    if (native) socket.resume();
    const left =
      options.waitMs === undefined ? undefined : Math.max(1, options.waitMs - (Date.now() - started));
    await openTunnel(socket, proxy, host, port, options.family, left);
  }
  const common = {
    linger: options.socket.linger,
    idleTimeoutMs: options.idleTimeoutMs,
    host,
    role: 'client' as const,
  };
  if (options.tls?.enabled) {
    // -w bounds connecting and the handshake together.
    const left =
      options.waitMs === undefined ? undefined : Math.max(1, options.waitMs - (Date.now() - started));
    const secured = await secureClient(socket, options.tls, host, label, left);
    return new TcpChannel(secured.socket, { ...common, tls: secured.info, tlsOptions: options.tls });
  }
  if (native && !proxy) socket.resume();
  // The reused read buffer moves the descriptor to a new socket: bytes a proxy's reply left
  // buffered in this one would stay behind.
  return new TcpChannel(socket, {
    ...common,
    borrowedReads: options.borrowedReads && !proxy,
    tlsOptions: options.tls ?? {},
  });
}

function waitForConnect(socket: net.Socket, label: string, options: TcpConnectOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer =
      options.waitMs === undefined
        ? undefined
        : setTimeout(() => {
            socket.destroy();
            reject(
              new NetError(
                `connect ${label}: ETIMEDOUT after ${formatDuration(options.waitMs!)}: SYN unanswered (host down or a firewall drops it)`,
                'ETIMEDOUT',
              ),
            );
          }, options.waitMs);
    const onError = (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      reject(connectError(err, label, options));
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve();
    });
  });
}

function connectError(err: NodeJS.ErrnoException, label: string, options: TcpConnectOptions): NetError {
  const fromPort = options.sourcePort ? `from port ${options.sourcePort}` : '';
  if (err.syscall === 'bind') {
    const local = formatHostPort(
      options.source ?? (options.family === 6 ? '::' : '0.0.0.0'),
      options.sourcePort ?? 0,
    );
    return netError('bind', local, err);
  }
  return netError('connect', label, err, fromPort);
}
