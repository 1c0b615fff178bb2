import { EventEmitter } from 'node:events';
import { NetError } from '../errors.js';
import type { Channel, ChannelEventMap, ChannelStats, CloseReason, Endpoint } from './channel.js';
import { nextChannelId } from './ids.js';
import {
  findSocketOption,
  readSocketOptions,
  type SocketOptionValues,
  setSocketOption,
} from './socket-options.js';

/** Datagrams kept while reading is paused or nobody listens yet; beyond it they are dropped and counted. */
const PAUSED_QUEUE_LIMIT = 4096;
/** How long close() waits for datagrams the receiver has no room for yet. */
const CLOSE_FLUSH_MS = 5000;

/** What a channel needs from the socket it sends through (its own, or its listener's). */
export interface DatagramPort {
  readonly fd: number | undefined;
  /** False when the datagram had to wait for room; 'drain' follows. `done` gets a send failure. */
  send(data: Buffer, to: Buffer | undefined, done: (err?: Error) => void): boolean;
  readonly queued: number;
}

/**
 * The datagrams exchanged with one peer over a unix datagram socket (`-u -U`). It behaves as a UDP
 * channel (proto 'udp', family 'unix'), so pipe mode, the tube and the views keep datagram
 * boundaries; a client's channel owns a connected socket, a listener's channels share its socket
 * and address each datagram to their sender.
 */
export class UnixDgramChannel extends EventEmitter<ChannelEventMap> implements Channel {
  readonly id = nextChannelId();
  readonly proto = 'udp' as const;
  readonly stats: ChannelStats;
  writeClosed = false;
  readClosed = false;
  closed = false;
  /** Datagrams dropped because reading was paused too long. */
  droppedWhilePaused = 0;

  private listening = false;
  private paused = false;
  private queue: Buffer[] = [];
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly drained: (() => void)[] = [];

  constructor(
    private readonly port: DatagramPort,
    readonly local: Endpoint,
    readonly remote: Endpoint,
    private readonly spec: {
      /** The peer's sockaddr for a listener's channel; undefined for a connected client. */
      to?: Buffer;
      /** Why this peer cannot be answered (it sent from an unnamed socket). */
      unanswerable?: string;
      idleTimeoutMs?: number;
      /** Pause/resume the socket itself (a client owns its socket). */
      flow?: { pause(): void; resume(): void };
      onClose?: () => Promise<void> | void;
      /** A send failure in one line. */
      failure?: (err: unknown) => NetError;
    },
  ) {
    super();
    const now = Date.now();
    this.stats = { bytesIn: 0, bytesOut: 0, chunksIn: 0, chunksOut: 0, openedAt: now, lastActivityAt: now };
    this.touch();
    // Datagrams queue until the first 'data' listener (an await before subscribing loses nothing).
    const untyped = this as EventEmitter;
    const startReading = (event: string | symbol) => {
      if (event !== 'data') return;
      untyped.off('newListener', startReading);
      process.nextTick(() => {
        this.listening = true;
        this.flush();
      });
    };
    untyped.on('newListener', startReading);
  }

  get fd(): number | undefined {
    return this.closed ? undefined : this.port.fd;
  }

  /** Called by the socket's owner for each datagram from this peer. */
  deliver(datagram: Buffer): void {
    if (this.readClosed) return;
    this.stats.bytesIn += datagram.length;
    this.stats.chunksIn++;
    this.touch();
    if (this.paused || !this.listening) {
      if (this.queue.length < PAUSED_QUEUE_LIMIT) this.queue.push(datagram);
      else this.droppedWhilePaused++;
      return;
    }
    this.emit('data', datagram);
  }

  /** Called by the socket's owner when its send queue emptied. */
  drain(): void {
    this.emit('drain');
    for (const fn of this.drained.splice(0)) fn();
  }

  send(data: Uint8Array, written?: () => void): boolean {
    if (this.writeClosed) throw new Error(`connection ${this.id} is closed for writing`);
    if (this.spec.unanswerable) {
      process.nextTick(() => {
        written?.();
        this.finish(
          'error',
          new NetError(
            `send ${this.remote.address || '(unnamed)'}: ${this.spec.unanswerable}`,
            'EDESTADDRREQ',
          ),
        );
      });
      return true;
    }
    const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.length);
    this.stats.bytesOut += buf.length;
    this.stats.chunksOut++;
    this.touch();
    const ok = this.port.send(buf, this.spec.to, (err) => {
      written?.();
      if (err) this.fail(err);
    });
    this.emit('sent', buf);
    return ok;
  }

  /** A send failure in words (EMSGSIZE, ECONNREFUSED...) ends the channel. */
  fail(err: unknown): void {
    this.finish('error', this.spec.failure?.(err) ?? new NetError(String(err), 'EIO'));
  }

  shutdown(how: 'write' | 'read'): void {
    // Datagrams have no FIN: half-closing only stops this side from sending or receiving.
    if (how === 'write') this.writeClosed = true;
    else this.readClosed = true;
  }

  /** Closes once the datagrams waiting for room have been sent (at most CLOSE_FLUSH_MS). */
  async close(): Promise<void> {
    this.writeClosed = true;
    if (this.port.queued > 0 && !this.closed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, CLOSE_FLUSH_MS);
        this.drained.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    await this.finish('local');
  }

  reset(): void {
    void this.finish('local');
  }

  pause(): void {
    this.paused = true;
    this.spec.flow?.pause();
  }

  resume(): void {
    this.paused = false;
    this.spec.flow?.resume();
    this.flush();
  }

  private flush(): void {
    while (!this.paused && this.listening && this.queue.length > 0) this.emit('data', this.queue.shift()!);
  }

  setOption(name: keyof SocketOptionValues, value: number | boolean): void {
    const fd = this.fd;
    if (fd === undefined) throw new Error(`connection ${this.id} is closed`);
    setSocketOption(fd, findSocketOption(name), value, false);
  }

  readOptions(): SocketOptionValues {
    const fd = this.fd;
    return fd === undefined ? {} : readSocketOptions(fd, 'udp', false);
  }

  /** Ends the channel with a reason; the owner closes a client's socket. */
  async finish(reason: CloseReason, error?: NetError): Promise<void> {
    if (this.closed) return;
    this.closed = this.readClosed = this.writeClosed = true;
    clearTimeout(this.idleTimer);
    for (const fn of this.drained.splice(0)) fn();
    const closing = this.spec.onClose?.();
    this.emit('close', reason, error);
    await closing;
  }

  private touch(): void {
    this.stats.lastActivityAt = Date.now();
    const ms = this.spec.idleTimeoutMs;
    if (!ms) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => void this.finish('timeout'), ms);
  }
}
