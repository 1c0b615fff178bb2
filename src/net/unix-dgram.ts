import { EventEmitter } from 'node:events';
import { lstatSync, unlinkSync } from 'node:fs';
import { NetError, UsageError } from '../errors.js';
import type { Channel, Endpoint } from './channel.js';
import { errorCode } from './errno.js';
import { type Listener, type ListenerEventMap, limitReached } from './listener.js';
import { nativeSockets } from './native.js';
import { applySocketOptions, hasOptions } from './socket-options.js';
import type { ListenTransportOptions, TransportOptions } from './transport-options.js';
import { unixError } from './unix.js';
import { UnixDgramChannel } from './unix-dgram-channel.js';
import { DatagramFd, localSockaddr, unixDgramSocket } from './unix-dgram-fd.js';

/**
 * Unix datagram sockets (`-u -U path`, `@name` too), connect and listen, as socat's
 * UNIX-SENDTO/UNIX-RECVFROM and `nc -U -u`. A client must have an address of its own or the
 * server could not answer: it binds `-s PATH` when given (removed at close), otherwise Linux's
 * autobind gives it a unique abstract name (`@` and 5 hex digits) that leaves no file behind,
 * where nc binds a /tmp/nc.XXXXXXXXXX file. A listener makes a channel per sender address, as
 * UDP listen does, and answers each from the listening socket.
 */

const AF_UNIX = 1;
/** sun_path is 108 bytes on Linux, with room for the terminating NUL. */
const PATH_MAX = 107;

/** sockaddr_un for a path, or for `@name` with its exact length (no padding). */
export function unixSockaddr(path: string): Buffer {
  if (path === '') throw new UsageError('unix socket: the path is empty');
  const abstract = path.startsWith('@');
  const bytes = Buffer.from(abstract ? path.slice(1) : path, 'utf8');
  if (bytes.length > PATH_MAX)
    throw new UsageError(`unix socket ${path}: the path is longer than ${PATH_MAX} bytes`);
  const addr = Buffer.alloc(2 + (abstract ? 1 + bytes.length : bytes.length + 1));
  addr.writeUInt16LE(AF_UNIX, 0);
  bytes.copy(addr, abstract ? 3 : 2);
  return addr;
}

/** The name in a sockaddr_un: a path, `@name` for an abstract one, '' for an unnamed socket. */
export function sockaddrName(addr: Buffer): string {
  if (addr.length <= 2) return '';
  if (addr[2] === 0) return `@${addr.subarray(3).toString('utf8')}`;
  const end = addr.indexOf(0, 2);
  return addr.subarray(2, end < 0 ? addr.length : end).toString('utf8');
}

const unixEndpoint = (address: string): Endpoint => ({ address, port: 0, family: 'unix' });

/** A descriptor bound to `path` (a file path or `@name`) or autobound (no path), options applied. */
function boundSocket(path: string | undefined, options: TransportOptions, op: 'connect' | 'listen'): number {
  const api = nativeSockets();
  let fd: number;
  try {
    fd = unixDgramSocket();
  } catch (err) {
    throw unixError(op, path ?? options.unix ?? '', err);
  }
  try {
    if (hasOptions(options.socket)) applySocketOptions(fd, options.socket, 'udp', false);
    // A bare family is Linux's autobind: a unique abstract name.
    api.bind(fd, path === undefined ? unixSockaddr('@').subarray(0, 2) : unixSockaddr(path));
    return fd;
  } catch (err) {
    api.close(fd);
    if (err instanceof NetError || err instanceof UsageError) throw err;
    throw unixError(
      op === 'connect' ? 'connect' : 'listen',
      path ?? '(autobind)',
      err,
      path ? ` (binding ${path})` : '',
    );
  }
}

function removeFile(path: string | undefined): void {
  if (path === undefined || path.startsWith('@')) return;
  try {
    unlinkSync(path);
  } catch {
    // Already gone: nothing to clean.
  }
}

function sendFailure(path: string) {
  return (err: unknown) => unixError('send', path, err);
}

export async function connectUnixDgram(path: string, options: TransportOptions): Promise<Channel> {
  const target = unixSockaddr(path);
  const own = options.source;
  if (own !== undefined && !own.startsWith('@')) await clearStale(own);
  const fd = boundSocket(own, options, 'connect');
  try {
    nativeSockets().connect(fd, target);
  } catch (err) {
    nativeSockets().close(fd);
    removeFile(own);
    throw unixError('connect', path, err);
  }
  const local = unixEndpoint(sockaddrName(localSockaddr(fd)));
  let channel: UnixDgramChannel | undefined;
  const socket = new DatagramFd(fd, {
    datagram: (data) => channel?.deliver(data),
    error: (err) => void channel?.finish('error', unixError('recv', path, err)),
    drained: () => channel?.drain(),
  });
  channel = new UnixDgramChannel(socket, local, unixEndpoint(path), {
    idleTimeoutMs: options.idleTimeoutMs,
    flow: socket,
    failure: sendFailure(path),
    onClose: async () => {
      await socket.close();
      removeFile(own);
    },
  });
  return channel;
}

/**
 * A socket file left by a server that is gone is removed (a datagram connect is refused); one a
 * live socket owns is EADDRINUSE, and a file that is not a socket is never touched.
 */
async function clearStale(path: string): Promise<void> {
  if (path.startsWith('@')) return;
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return;
    throw unixError('listen', path, err);
  }
  if (!isSocket)
    throw new NetError(
      `listen ${path}: EEXIST: the path exists and is not a socket; it is left alone (remove it or pick another path)`,
      'EEXIST',
    );
  const api = nativeSockets();
  const probe = unixDgramSocket();
  let refused = false;
  try {
    api.connect(probe, unixSockaddr(path));
  } catch (err) {
    refused = errorCode(err) === 'ECONNREFUSED';
  } finally {
    api.close(probe);
  }
  if (!refused)
    throw new NetError(`listen ${path}: EADDRINUSE: another process has a socket bound there`, 'EADDRINUSE');
  unlinkSync(path);
}

/** A bound unix datagram socket that makes a channel for each new sender address. */
export class UnixDgramListener extends EventEmitter<ListenerEventMap> implements Listener {
  readonly proto = 'udp' as const;
  readonly channels = new Set<Channel>();
  readonly addresses: readonly Endpoint[];
  private readonly peers = new Map<string, UnixDgramChannel>();
  private accepting = true;
  private readonly socket: DatagramFd;

  constructor(
    fd: number,
    private readonly path: string,
    private readonly options: ListenTransportOptions,
    readonly removedStale: boolean,
  ) {
    super();
    this.addresses = [unixEndpoint(path)];
    this.socket = new DatagramFd(fd, {
      datagram: (data, from) => this.receive(data, from),
      error: (err) => this.emit('error', unixError('recv', path, err)),
      drained: () => {
        for (const c of this.peers.values()) c.drain();
      },
    });
  }

  get address(): Endpoint {
    return this.addresses[0]!;
  }

  private receive(data: Buffer, from: Buffer): void {
    const key = from.toString('hex');
    let channel = this.peers.get(key);
    if (!channel) {
      const name = sockaddrName(from);
      // A sender that bound no address (socat UNIX-SENDTO without bind=) is shown as such.
      const peer = unixEndpoint(name || '(unnamed)');
      const max = this.options.maxClients;
      if (!this.accepting || (max !== undefined && this.peers.size >= max)) {
        this.emit('refused', peer, this.accepting ? limitReached(max!) : 'no longer accepting');
        return;
      }
      const created = new UnixDgramChannel(this.socket, this.address, peer, {
        to: name === '' ? undefined : Buffer.from(from),
        unanswerable:
          name === ''
            ? 'the sender has no address of its own (it did not bind one), so it cannot be answered'
            : undefined,
        idleTimeoutMs: this.options.idleTimeoutMs,
        failure: sendFailure(name || '(unnamed)'),
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
    channel.deliver(data);
  }

  stopAccepting(): void {
    this.accepting = false;
  }

  async close(): Promise<void> {
    this.accepting = false;
    await Promise.all([...this.peers.values()].map((channel) => channel.close()));
    await this.socket.close();
    removeFile(this.path);
  }
}

export async function listenUnixDgram(path: string, options: ListenTransportOptions): Promise<Listener> {
  const hadFile = !path.startsWith('@') && lstatExists(path);
  await clearStale(path);
  const fd = boundSocket(path, options, 'listen');
  return new UnixDgramListener(fd, path, options, hadFile);
}

function lstatExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
