import type * as dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import type { NetError } from '../errors.js';
import type { Channel, ChannelEventMap, ChannelStats, CloseReason, Endpoint } from './channel.js';
import { formatHostPort, netError } from './errno.js';
import { nextChannelId } from './ids.js';
import { udpSocketFd } from './socket-fd.js';
import {
  findSocketOption,
  readSocketOptions,
  type SocketOptionValues,
  setSocketOption,
} from './socket-options.js';

/** Datagrams kept while reading is paused; beyond it they are dropped and counted (as the kernel would). */
const PAUSED_QUEUE_LIMIT = 4096;
/** Sends in flight before send() reports backpressure. */
const SEND_HIGH_WATER = 256;

/**
 * The datagrams exchanged with one peer. A client's channel owns a connected socket; a listener's
 * channels share the listening socket and address each datagram to their peer.
 */
export class UdpChannel extends EventEmitter<ChannelEventMap> implements Channel {
  readonly id = nextChannelId();
  readonly proto = 'udp' as const;
  readonly stats: ChannelStats;
  writeClosed = false;
  readClosed = false;
  closed = false;
  /** Datagrams dropped because reading was paused too long. */
  droppedWhilePaused = 0;

  /** Datagrams queue until the first 'data' listener (an await before subscribing loses nothing). */
  private listening = false;
  /** Reading paused by the owner (pause()/resume()). */
  private paused = false;
  private queue: Buffer[] = [];
  private inFlight = 0;
  /** Waiting for the sends in flight to finish (close()). */
  private readonly idle: (() => void)[] = [];
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: dgram.Socket,
    readonly local: Endpoint,
    readonly remote: Endpoint,
    private readonly spec: { connected: boolean; idleTimeoutMs?: number; onClose?: () => void },
  ) {
    super();
    const now = Date.now();
    this.stats = { bytesIn: 0, bytesOut: 0, chunksIn: 0, chunksOut: 0, openedAt: now, lastActivityAt: now };
    this.touch();
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
    if (this.closed) return undefined;
    return udpSocketFd(this.socket);
  }

  /** Called by the owner for each datagram from this peer. */
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

  send(data: Uint8Array, written?: () => void): boolean {
    if (this.writeClosed) throw new Error(`connection ${this.id} is closed for writing`);
    const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.length);
    this.stats.bytesOut += buf.length;
    this.stats.chunksOut++;
    this.touch();
    this.inFlight++;
    const done = (err: Error | null) => {
      this.inFlight--;
      written?.();
      if (err)
        this.finish('error', netError('send', formatHostPort(this.remote.address, this.remote.port), err));
      if (this.inFlight === SEND_HIGH_WATER - 1) this.emit('drain');
      if (this.inFlight === 0) for (const fn of this.idle.splice(0)) fn();
    };
    if (this.spec.connected) this.socket.send(buf, done);
    else this.socket.send(buf, this.remote.port, this.remote.address, done);
    this.emit('sent', buf);
    return this.inFlight < SEND_HIGH_WATER;
  }

  shutdown(how: 'write' | 'read'): void {
    // UDP has no FIN: half-closing only stops this side from sending or receiving.
    if (how === 'write') this.writeClosed = true;
    else this.readClosed = true;
  }

  /** Closes once every datagram already sent has reached the kernel (none is dropped by closing). */
  async close(): Promise<void> {
    this.writeClosed = true;
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
    this.finish('local');
  }

  reset(): void {
    this.finish('local');
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.flush();
  }

  private flush(): void {
    while (!this.paused && this.listening && this.queue.length > 0) this.emit('data', this.queue.shift()!);
  }

  setOption(name: keyof SocketOptionValues, value: number | boolean): void {
    const fd = this.fd;
    if (fd === undefined) throw new Error(`connection ${this.id} is closed`);
    setSocketOption(fd, findSocketOption(name), value, this.local.family === 'IPv6');
  }

  readOptions(): SocketOptionValues {
    const fd = this.fd;
    return fd === undefined ? {} : readSocketOptions(fd, 'udp', this.local.family === 'IPv6');
  }

  /** Ends the channel with a reason; the owner closes a connected socket. */
  finish(reason: CloseReason, error?: NetError): void {
    if (this.closed) return;
    this.closed = this.readClosed = this.writeClosed = true;
    clearTimeout(this.idleTimer);
    this.spec.onClose?.();
    this.emit('close', reason, error);
  }

  private touch(): void {
    this.stats.lastActivityAt = Date.now();
    const ms = this.spec.idleTimeoutMs;
    if (!ms) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.finish('timeout'), ms);
  }
}
