import { lstatSync, unlinkSync } from 'node:fs';
import * as net from 'node:net';
import { formatDuration } from '../codec/units.js';
import { NetError, UsageError } from '../errors.js';
import { connectAbstract, listenAbstract } from './abstract-unix.js';
import { errorCode } from './errno.js';
import { TcpChannel } from './tcp-channel.js';
import type { BorrowedReads } from './tcp-channel-options.js';
import { LISTEN_BACKLOG, TcpListener } from './tcp-listen.js';
import { prepareServerTls, secureClient } from './tls/tls-handshake.js';
import type { ListenTransportOptions, TransportOptions } from './transport-options.js';

/**
 * Unix domain stream sockets (`-U path`), connect and listen: the same channel and listener as
 * TCP, named by a path. `@name` is Linux's abstract namespace (no file). Listening removes a
 * stale socket file only when nothing listens on it, and never a file that is not a socket.
 */

/** Node's spelling of a path: an abstract name starts with a NUL byte. */
function nodePath(path: string): string {
  if (path === '') throw new UsageError('unix socket: the path is empty');
  if (path.startsWith('@')) {
    if (process.platform !== 'linux')
      throw new UsageError(`unix socket ${path}: abstract names (@) exist only on Linux`);
    return `\0${path.slice(1)}`;
  }
  return path;
}

const MEANINGS: Record<string, string> = {
  ENOENT: 'no such socket file (is the server running? is the path right?)',
  ECONNREFUSED: 'a socket file, but nothing listens on it (a stale file of a server that exited)',
  EACCES: "permission denied: the socket file's mode, or a directory on its path, forbids it",
  EPERM: "permission denied: the socket file's mode, or a directory on its path, forbids it",
  ENOTSOCK: 'that file is not a socket',
  EADDRINUSE: 'another process listens on that socket',
  ENAMETOOLONG: 'the path is too long for a unix socket (108 bytes on Linux)',
  ENOTDIR: 'a component of the path is not a directory',
  EAGAIN: 'the listener\u2019s backlog is full',
  EPROTOTYPE: 'the socket there is of another type (a stream socket: drop -u; a datagram socket: add -u)',
  EMSGSIZE: 'the datagram is larger than the socket allows (its SO_SNDBUF, less a few bytes)',
  ENOTSUP: 'unix datagram sockets are supported on Linux only',
};

export function unixError(
  op: 'connect' | 'listen' | 'send' | 'recv',
  path: string,
  err: unknown,
  extra = '',
): NetError {
  const code = errorCode(err);
  const meaning =
    code === 'ECONNREFUSED' && path.startsWith('@')
      ? 'nothing listens on that abstract name'
      : (MEANINGS[code] ?? (err as Error).message);
  return new NetError(`${op} ${path}: ${code}: ${meaning}${extra}`, code, { cause: err });
}

export async function connectUnix(
  path: string,
  options: TransportOptions & { borrowedReads?: BorrowedReads },
): Promise<TcpChannel> {
  const where = nodePath(path);
  let socket: net.Socket;
  if (where.startsWith('\0')) {
    try {
      socket = connectAbstract(where.slice(1));
    } catch (err) {
      throw unixError('connect', path, err);
    }
  } else {
    socket = net.connect({ path: where, allowHalfOpen: true });
    await connected(socket, path, options.waitMs);
  }
  return finishConnect(path, socket, options);
}

function connected(socket: net.Socket, path: string, waitMs: number | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer =
      waitMs === undefined
        ? undefined
        : setTimeout(() => {
            socket.destroy();
            reject(
              new NetError(
                `connect ${path}: ETIMEDOUT after ${formatDuration(waitMs)}: the listener never accepted`,
                'ETIMEDOUT',
              ),
            );
          }, waitMs);
    socket.once('error', (err) => {
      clearTimeout(timer);
      socket.destroy();
      reject(unixError('connect', path, err));
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve();
    });
  });
}

function finishConnect(
  path: string,
  socket: net.Socket,
  options: TransportOptions & { borrowedReads?: BorrowedReads },
) {
  const common = {
    idleTimeoutMs: options.idleTimeoutMs,
    role: 'client' as const,
    host: options.tls?.serverName ?? 'localhost',
    unix: { local: '', remote: path },
  };
  if (options.tls?.enabled) {
    return secureClient(socket, options.tls, 'localhost', path, options.waitMs).then(
      (secured) => new TcpChannel(secured.socket, { ...common, tls: secured.info, tlsOptions: options.tls }),
    );
  }
  return Promise.resolve(
    new TcpChannel(socket, {
      ...common,
      borrowedReads: options.borrowedReads,
      tlsOptions: options.tls ?? {},
    }),
  );
}

/** What listening found at the path before it bound. */
export type StaleSocket = 'none' | 'removed';

export async function listenUnix(
  path: string,
  options: ListenTransportOptions & { borrowedReads?: BorrowedReads },
): Promise<TcpListener> {
  const where = nodePath(path);
  const stale = where.startsWith('\0') ? 'none' : await clearStaleSocket(path);
  const serverTls = options.tls?.enabled ? await prepareServerTls(options.tls) : undefined;
  const server = net.createServer({ allowHalfOpen: true });
  let fd: number | undefined;
  if (where.startsWith('\0')) {
    try {
      fd = listenAbstract(where.slice(1));
    } catch (err) {
      throw unixError('listen', path, err);
    }
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(unixError('listen', path, err)));
    if (fd === undefined) server.listen({ path: where, backlog: LISTEN_BACKLOG }, () => resolve());
    else server.listen({ fd, backlog: LISTEN_BACKLOG }, () => resolve());
  });
  const listener = new TcpListener(
    [server],
    [{ address: path, port: 0, family: 'unix' }],
    options,
    serverTls,
  );
  listener.removedStale = stale === 'removed';
  return listener;
}

/**
 * A socket file left by a server that is gone is removed (as socat's unlink-early would, but only
 * after a connect shows nothing listens); a live one is EADDRINUSE, and a file that is not a
 * socket is never touched.
 */
async function clearStaleSocket(path: string): Promise<StaleSocket> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return 'none';
    throw unixError('listen', path, err);
  }
  if (!isSocket)
    throw new NetError(
      `listen ${path}: EEXIST: the path exists and is not a socket; it is left alone (remove it or pick another path)`,
      'EEXIST',
    );
  const alive = await new Promise<boolean>((resolve) => {
    const probe = net.connect({ path });
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', (err) => resolve(errorCode(err) !== 'ECONNREFUSED'));
  });
  if (alive) throw new NetError(`listen ${path}: EADDRINUSE: ${MEANINGS.EADDRINUSE}`, 'EADDRINUSE');
  try {
    unlinkSync(path);
  } catch (err) {
    throw unixError('listen', path, err, ' (removing the stale socket file)');
  }
  return 'removed';
}
