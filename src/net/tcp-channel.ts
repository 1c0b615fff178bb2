import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { NetError } from '../errors.js';
import type { Channel, ChannelEventMap, ChannelStats, CloseReason, Endpoint } from './channel.js';
import { ChannelRelays } from './channel-relays.js';
import { errorCode, formatHostPort, netError } from './errno.js';
import { FdRelay } from './fd-relay.js';
import { IdleTimer } from './idle-timer.js';
import { nextChannelId } from './ids.js';
import { lingerClose, resetSocket } from './linger-close.js';
import { nativeSocketsAvailable } from './native.js';
import { quietSocket, withReusedReadBuffer } from './reused-read-buffer.js';
import { tcpSocketFd } from './socket-fd.js';
import {
  findSocketOption,
  readSocketOptions,
  type SocketOptionValues,
  setSocketOption,
} from './socket-options.js';
import { BUSY_BYTES, channelEnds, type TcpChannelOptions } from './tcp-channel-options.js';
import type { TlsInfo } from './tls/tls-info.js';
import type { TlsOptions, TlsRole } from './tls/tls-options.js';

export type { TcpChannelOptions } from './tcp-channel-options.js';

/** A connected TCP socket as a Channel: counts bytes, names why it closed, closes without blocking. */
export class TcpChannel extends EventEmitter<ChannelEventMap> implements Channel {
  readonly id = nextChannelId();
  readonly proto: 'tcp' | 'unix';
  readonly local: Endpoint;
  readonly remote: Endpoint;
  readonly stats: ChannelStats;
  socket: Socket;
  /** The TLS session, once a handshake finished (at connect or accept, or by STARTTLS). */
  tls: TlsInfo | undefined;
  /** Which end of a STARTTLS handshake this channel plays: the connecting side is the client. */
  readonly role: TlsRole;
  /** True when 'data' chunks are borrowed views (see TcpChannelOptions.borrowedReads). */
  readonly borrowsReads: boolean;
  writeClosed = false;
  readClosed = false;
  closed = false;

  /** SO_LINGER seconds as last set through this channel; close() emulates a non-zero one. */
  private linger: number | undefined;
  /** -i, when given: Node's socket timer until a relay moves bytes, then one that sees those too. */
  private readonly idle: IdleTimer | undefined;
  /** Date.now() when a send's write last completed: activity for the idle timer, as for Node's. */
  private writtenAt = 0;
  private readonly tlsOptions: Partial<TlsOptions>;
  private readonly host: string;
  private upgrading = false;
  private reading = false;
  private closing: CloseReason | undefined;
  private userPaused = false;
  private error: NetError | undefined;
  /** Bytes accepted by send() that the socket failed to write. */
  private unsent = 0;
  /** Workers moving this connection's bytes to or from a descriptor (relayReadsInto, relaySendsFrom). */
  private readonly relays = new ChannelRelays();
  /** Reading into the reused buffer now (read, never set, outside): a relay may then take over. */
  lending: boolean;
  /** What a 'when-busy' channel still reads before it moves onto the reused buffer. */
  private untilLending: number | undefined;

  constructor(socket: Socket, options: TcpChannelOptions = {}) {
    super();
    this.borrowsReads = Boolean(options.borrowedReads);
    this.lending = options.borrowedReads === true && nativeSocketsAvailable();
    if (options.borrowedReads === 'when-busy' && !options.tls) this.untilLending = BUSY_BYTES;
    this.socket = this.lending ? withReusedReadBuffer(socket, this.onBorrowed) : socket;
    socket = this.socket;
    this.linger = options.linger;
    this.tls = options.tls;
    this.tlsOptions = options.tlsOptions ?? {};
    this.role = options.role ?? 'client';
    const now = Date.now();
    this.stats = { bytesIn: 0, bytesOut: 0, chunksIn: 0, chunksOut: 0, openedAt: now, lastActivityAt: now };
    this.proto = options.unix ? 'unix' : 'tcp';
    ({ local: this.local, remote: this.remote } = channelEnds(socket, options));
    this.host = options.host ?? this.remote.address;
    // Reading starts with the first 'data' listener: bytes that arrive while the owner is still
    // setting up (an await between connecting and subscribing) wait in the socket, never lost.
    const untyped = this as EventEmitter;
    const startReading = (event: string | symbol) => {
      if (event !== 'data') return;
      untyped.off('newListener', startReading);
      this.reading = true;
      // An explicit pause() made before this stays in force.
      if (this.lending) process.nextTick(() => this.userPaused || this.socket.resume());
      else {
        this.socket.on('data', this.onData);
        // A socket a proxy handshake left paused starts flowing now.
        if (!this.userPaused) this.socket.resume();
      }
    };
    untyped.on('newListener', startReading);
    this.wire(socket);
    if (options.idleTimeoutMs) {
      this.idle = new IdleTimer(options.idleTimeoutMs, () => {
        this.closing ??= 'timeout';
        this.socket.destroy();
      });
      this.idle.onSocket(socket);
    }
  }

  private readonly onBorrowed = (chunk: Buffer) => this.received(chunk);
  private readonly onData = (chunk: Buffer) => {
    this.received(chunk);
    if (this.untilLending !== undefined) this.lendReads(chunk.length);
  };
  private readonly onEnd = () => this.peerEnded();
  private readonly onDrain = () => this.emit('drain');
  private readonly onError = (err: Error) => this.failed(err);
  // Whatever a relay already took from its source reaches its sink before the channel closes.
  private readonly onClose = () => this.relays.after(() => this.finish());

  private wire(socket: Socket): void {
    socket.on('end', this.onEnd);
    socket.on('drain', this.onDrain);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
    if (this.reading && !this.lending) socket.on('data', this.onData);
  }

  private unwire(old: Socket): void {
    old.off('end', this.onEnd);
    old.off('drain', this.onDrain);
    old.off('error', this.onError);
    old.off('close', this.onClose);
    old.off('data', this.onData);
    old.setTimeout(0);
    old.on('error', () => {}); // a late error of a socket left behind must not go unhandled
  }

  /**
   * Moves onto the reused buffer between two chunks while Node holds none of the bytes (else the
   * next chunk tries again: none is reordered or lost); one whose reading or writing is over stays.
   */
  private lendReads(bytes: number): void {
    this.untilLending! -= bytes;
    if (this.untilLending! > 0) return;
    const old = this.socket;
    const over = this.closed || this.readClosed || this.writeClosed || this.upgrading || this.tls;
    if (!over && !quietSocket(old)) return;
    this.untilLending = undefined;
    // No native library to dup(2) with: this channel goes on reading the ordinary way.
    if (over || !nativeSocketsAvailable()) return;
    this.unwire(old);
    this.socket = withReusedReadBuffer(old, this.onBorrowed);
    this.lending = true;
    this.wire(this.socket);
    this.idle?.onSocket(this.socket);
    if (!this.userPaused) process.nextTick(() => this.userPaused || this.socket.resume());
  }

  /**
   * Moves the channel onto a socket layered over its current one (STARTTLS: a TLS socket over
   * the plain one): events now come from `next`, and bytes sent go through it. The plain socket
   * is left to `next`, which owns it from here on.
   */
  replaceSocket(next: Socket, tls: TlsInfo): void {
    // Errors of the layer below surface on `next`.
    this.unwire(this.socket);
    this.socket = next;
    this.tls = tls;
    this.wire(next);
    this.idle?.onSocket(next);
    if (this.userPaused) next.pause();
  }

  /** STARTTLS (Channel.startTls): the handshake runs over the plain socket, then the channel moves onto TLS. */
  async startTls(options: Partial<TlsOptions> = {}): Promise<TlsInfo> {
    if (this.tls) throw new NetError(`connection ${this.id} is TLS already`, 'EALREADY');
    if (this.closed || this.writeClosed) throw new NetError(`connection ${this.id} is closed`, 'ENOTCONN');
    if (this.relays.any || this.borrowsReads)
      throw new NetError(
        `connection ${this.id} moves its bytes on the fast path; STARTTLS needs the ordinary one`,
        'EINVAL',
      );
    if (this.upgrading) throw new NetError(`connection ${this.id} is in a TLS handshake already`, 'EALREADY');
    this.upgrading = true;
    // From here the plain socket's bytes are the handshake's: they stay in its buffer (Node's TLS
    // socket takes them from there), never reach 'data' listeners as plaintext. A server's
    // ClientHello may come before the certificate is ready.
    this.socket.off('data', this.onData);
    this.socket.pause();
    try {
      const { upgradeToTls } = await import('./tls/start-tls.js');
      const secured = await upgradeToTls(
        this.socket,
        { ...this.tlsOptions, ...options },
        this.role,
        this.host,
        formatHostPort(this.remote.address, this.remote.port),
      );
      this.replaceSocket(secured.socket, secured.info);
      return secured.info;
    } finally {
      this.upgrading = false;
    }
  }

  get fd(): number | undefined {
    return tcpSocketFd(this.socket);
  }

  /**
   * Hands reading to a relay worker (FdRelay, Linux; see canRelay; `relay` may be booted ahead):
   * from now on incoming bytes go straight to descriptor `sinkFd` by splice(2), never through
   * JavaScript; no more 'data' events (a borrowed-read channel's earlier ones must be in the sink
   * already). 'end' and 'close' come as usual; a failed write to the sink goes to `onSinkError`.
   */
  relayReadsInto(
    sinkFd: number,
    onSinkError: (code: string) => void,
    relay: FdRelay = new FdRelay('splice'),
  ): void {
    if (this.reading) {
      // A bulk transfer moving off 'data' events: with borrowed reads pause() stops reading at once.
      if (!this.lending) throw new Error(`connection ${this.id} is read already`);
      this.socket.pause();
    }
    this.relays.startInbound(relay, this.liveFd(), sinkFd, this.stats);
    this.idle?.watch(this.lastActivity);
    relay.on('end', () => {
      this.relays.count(this.stats);
      this.peerEnded();
    });
    relay.on('error', (side, code) => {
      this.relays.count(this.stats);
      if (side === 'sink') onSinkError(code);
      else this.relayFailed(code);
    });
  }

  /**
   * Takes reading back from the relay worker (relayReadsInto; listen -k when a second client
   * comes): once it has stopped, every byte it took in the sink, Node reads again ('data' events,
   * after resume() if paused) from where it left off; unless the peer's FIN came first ('end').
   */
  async takeReadsBack(): Promise<void> {
    if (!(await this.relays.takeInboundBack(this.stats)) || this.readClosed) return;
    if (!this.userPaused) this.socket.resume();
  }

  /**
   * Hands sending to a relay worker: descriptor `sourceFd`'s bytes go to the socket until it ends (no
   * send() meanwhile); `onSourceEnd` runs once all are in the socket, or reading the source failed.
   */
  relaySendsFrom(sourceFd: number, onSourceEnd: () => void, relay: FdRelay = new FdRelay('copy')): void {
    this.relays.startOutbound(relay, sourceFd, this.liveFd(), this.stats);
    this.idle?.watch(this.lastActivity);
    relay.on('end', () => {
      this.relays.count(this.stats);
      onSourceEnd();
    });
    relay.on('error', (side, code) => {
      this.relays.count(this.stats);
      if (side === 'source') onSourceEnd();
      else this.relayFailed(code);
    });
  }

  /** The latest activity either way, Node's or a relay's (IdleTimer). */
  private readonly lastActivity = (): number =>
    Math.max(this.stats.lastActivityAt, this.writtenAt, this.relays.movedAt);

  private liveFd(): number {
    const fd = this.fd;
    if (fd === undefined) throw new Error(`connection ${this.id} is closed`);
    return fd;
  }

  private relayFailed(code: string): void {
    this.failed(Object.assign(new Error(code), { code }));
    this.socket.destroy();
  }

  private peerEnded(): void {
    // The peer closed first; a close() of ours in answer keeps 'eof' as the reason.
    this.closing ??= 'eof';
    this.readClosed = true;
    this.emit('end');
  }

  private failed(err: unknown): void {
    // The syscall says which way the failure came: EPIPE is always a write, a reset may be either.
    const syscall = (err as NodeJS.ErrnoException | undefined)?.syscall ?? '';
    const op = syscall.startsWith('write') || errorCode(err) === 'EPIPE' ? 'send' : 'recv';
    this.error ??= netError(op, formatHostPort(this.remote.address, this.remote.port), err);
  }

  private received(chunk: Buffer): void {
    if (this.readClosed) return;
    this.stats.bytesIn += chunk.length;
    this.stats.chunksIn++;
    this.stats.lastActivityAt = Date.now();
    this.emit('data', chunk);
  }

  send(data: Uint8Array, written?: () => void): boolean {
    if (this.writeClosed) throw new Error(`connection ${this.id} is closed for writing`);
    const n = data.length;
    this.stats.bytesOut += n;
    this.stats.chunksOut++;
    this.stats.lastActivityAt = Date.now();
    const ok = this.socket.write(data, (err) => {
      this.writtenAt = Date.now();
      // Bytes the socket died holding were never sent: they do not count, and the close says so.
      if (err) {
        this.stats.bytesOut -= n;
        this.unsent += n;
      }
      written?.();
    });
    this.emit('sent', Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.length));
    return ok;
  }

  shutdown(how: 'write' | 'read'): void {
    if (how === 'write') {
      if (this.writeClosed) return;
      this.writeClosed = true;
      this.socket.end();
      this.emit('shutdown', 'fin');
    } else {
      // Node cannot shutdown(SHUT_RD); stop reading and drop what still arrives, as the kernel would.
      this.readClosed = true;
      this.socket.resume();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closing ??= 'local';
    const wasOpen = !this.writeClosed;
    this.writeClosed = true;
    await this.relays.stop();
    if (this.linger === 0) this.emit('shutdown', 'rst');
    else if (wasOpen && !this.socket.destroyed) this.emit('shutdown', 'fin');
    await lingerClose(this.socket, this.linger, () => this.fd);
  }

  reset(): void {
    if (this.closed) return;
    this.closing ??= 'local';
    this.writeClosed = true;
    this.relays.after(() => {
      this.emit('shutdown', 'rst');
      resetSocket(this.socket, this.fd);
    });
  }

  pause(): void {
    this.userPaused = true;
    this.socket.pause();
  }

  resume(): void {
    this.userPaused = false;
    // Once a relay reads the socket, Node must not: the bytes would be split between the two.
    if (!this.relays.inbound) this.socket.resume();
  }

  setOption(name: keyof SocketOptionValues, value: number | boolean): void {
    const fd = this.fd;
    if (fd === undefined) throw new Error(`connection ${this.id} is closed`);
    setSocketOption(fd, findSocketOption(name), value, this.local.family === 'IPv6');
    if (name === 'linger') this.linger = Number(value);
  }

  readOptions(): SocketOptionValues {
    const fd = this.fd;
    // The table's options are TCP/IP ones: a unix socket answers none of them.
    if (fd === undefined || this.proto === 'unix') return {};
    return readSocketOptions(fd, 'tcp', this.local.family === 'IPv6');
  }

  private finish(): void {
    if (this.closed) return;
    this.relays.count(this.stats);
    this.idle?.stop();
    this.closed = this.readClosed = this.writeClosed = true;
    const code = this.error?.code;
    if (this.error && this.unsent > 0) {
      const lost = `${this.unsent} byte${this.unsent === 1 ? '' : 's'} queued to send were lost`;
      this.error = new NetError(`${this.error.message}; ${lost}`, this.error.code, {
        cause: this.error.cause,
      });
    }
    const reason: CloseReason =
      code === 'ECONNRESET' || code === 'EPIPE'
        ? 'reset'
        : (this.closing ?? (this.error ? (code === 'ETIMEDOUT' ? 'timeout' : 'error') : 'eof'));
    this.emit('close', reason, this.error);
  }
}
