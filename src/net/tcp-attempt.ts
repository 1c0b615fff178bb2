import * as net from 'node:net';
import type { NetError } from '../errors.js';
import { formatHostPort, netError } from './errno.js';
import type { Attempt } from './happy-eyeballs.js';
import { createBoundSocket } from './native-socket.js';
import type { ResolvedAddress } from './resolve.js';
import { hasOptions } from './socket-options.js';
import type { TransportOptions } from './transport-options.js';

/** A TCP socket that connected, and whether its descriptor is our own (paused until taken). */
export interface ConnectedSocket {
  socket: net.Socket;
  native: boolean;
}

/**
 * One TCP connection attempt to one address. When socket options are given, the descriptor is
 * created and bound by us so every option is in place before the SYN; otherwise Node's own path
 * is used. Several attempts may run at once from the same -p source port (Happy Eyeballs), so
 * our own descriptors take SO_REUSEADDR as Node's do.
 */
export function startTcpAttempt(
  target: ResolvedAddress,
  port: number,
  options: TransportOptions,
  source: string | undefined,
): Attempt<ConnectedSocket> {
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
      reuseaddrDefault: options.sourcePort !== undefined,
    });
    socket = new net.Socket({ fd, allowHalfOpen: true, pauseOnCreate: true } as net.SocketConstructorOpts);
    socket.connect({ host: target.address, port });
  } else {
    socket = net.connect({
      host: target.address,
      port,
      family: target.family,
      localAddress: source,
      localPort: options.sourcePort,
      allowHalfOpen: true,
      noDelay: options.socket.nodelay,
    });
  }
  const label = formatHostPort(target.address, port);
  const done = new Promise<ConnectedSocket>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      socket.destroy();
      reject(connectError(err, label, { ...options, source, family: target.family }));
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.off('error', onError);
      resolve({ socket, native });
    });
  });
  return { done, cancel: () => socket.destroy() };
}

function connectError(err: NodeJS.ErrnoException, label: string, options: TransportOptions): NetError {
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
