import { EventEmitter } from 'node:events';
import type { NetError } from '../errors.js';
import type {
  Channel,
  ChannelEventMap,
  ChannelStats,
  CloseReason,
  Endpoint,
  Protocol,
} from '../net/channel.js';
import type { ProgramControl } from '../net/program.js';
import type { SocketOptionValues } from '../net/socket-options.js';
import type { TlsInfo } from '../net/tls/tls-info.js';
import type { TlsOptions } from '../net/tls/tls-options.js';
import type { Framer } from '../plugin/types.js';
import type { FaultClock } from './clock.js';
import type { FaultEntry } from './fault-entry.js';
import type { FaultAction } from './fault-observer.js';
import { FaultPipeline } from './fault-pipeline.js';
import { peerHasRead } from './peer-has-read.js';
import type { PipelineHost } from './pipeline-host.js';
import type { RandomSource } from './random.js';

/** Bytes the faults of one direction may hold before the sender is held back (backpressure). */
export const HOLD_HIGH_WATER = 4 * 1024 * 1024;
const HOLD_LOW_WATER = 1024 * 1024;

/** What a faulty channel needs from whoever manages the faults (the FaultController). */
export interface FaultHooks {
  readonly clock: FaultClock;
  random(entry: FaultEntry, channel: Channel): RandomSource;
  log(channel: Channel, text: string, level: 'info' | 'warn' | 'error'): void;
  failed(entry: FaultEntry, err: unknown, where: string, lost?: number): void;
  report(channel: Channel, entry: FaultEntry, action: FaultAction): void;
  /** A fresh framer when the session frames its traffic: `when=`/`count=` then match messages. */
  messageFramer?(): Framer | undefined;
}

/**
 * A Channel decorator that runs each direction's bytes through the active faults. To its user it
 * is the connection itself: `send` goes through the `out` faults to the socket, `data` arrives
 * after the `in` faults, `sent` reports what really went on the wire. With no fault acting on a
 * direction, chunks pass straight through.
 *
 * Order and completeness: the peer's FIN (`end`) is reported after every byte the `in` faults
 * hold, and our FIN follows every byte the `out` faults hold (a delay delays the FIN too). At
 * close everything held is passed on at once. What faults hold is bounded: past a high-water
 * mark, reading stops (`in`) or `send` returns false until 'drain' (`out`).
 */
export class FaultyChannel extends EventEmitter<ChannelEventMap> implements Channel {
  readonly pipeline: FaultPipeline;
  /** Set when a fault reset the connection (the proxy forwards it as an RST). */
  resetByFault: FaultEntry | undefined;
  private wClosed = false;
  private rClosed = false;
  private isClosed = false;
  private readonly holds = new Set<string>();
  private userPaused = false;
  /** Data for the application that came out of the faults while it had paused reading. */
  private readonly inQueue: Buffer[] = [];
  private peerEnded = false;
  private endEmitted = false;
  private finPending = false;
  private resetPending = false;
  private innerFull = false;
  private sendRefused = false;
  /** Writes handed to the socket whose completion is still awaited (a fault's RST waits for them). */
  private writesInFlight = 0;
  private discarded = 0;
  private nodelayChecked = false;
  private readonly copyReads: boolean;

  constructor(
    readonly inner: Channel,
    private readonly hooks: FaultHooks,
  ) {
    super();
    // Pipe mode reads into one reused buffer: a fault that keeps a chunk must keep a copy.
    this.copyReads = (inner as { borrowsReads?: boolean }).borrowsReads === true;
    const host: PipelineHost = {
      proto: inner.proto,
      clock: hooks.clock,
      deliver: (dir, chunk) => (dir === 'in' ? this.deliverIn(toBuffer(chunk)) : this.deliverOut(chunk)),
      reset: (by) => this.faultReset(by),
      shutdown: (how) => this.shutdown(how),
      hold: (reason, on) => this.hold(reason, on),
      log: (entry, message) => hooks.log(this, `${entry.fault.name}: ${message}`, 'info'),
      failed: (entry, err, where, lost) => hooks.failed(entry, err, where, lost),
      report: (entry, action) => hooks.report(this, entry, action),
      settled: () => this.settled(),
      messageFramer: () => hooks.messageFramer?.(),
    };
    this.pipeline = new FaultPipeline(host, (entry) => hooks.random(entry, this));
    inner.on('data', (chunk) => this.received(chunk));
    inner.on('sent', (chunk) => this.emit('sent', chunk));
    inner.on('drain', () => {
      this.innerFull = false;
      this.maybeDrain();
    });
    inner.on('end', () => {
      this.peerEnded = true;
      this.pipeline.endOf('in');
      this.maybeEnd();
    });
    inner.on('close', (reason, error) => this.innerClosed(reason, error));
  }

  get id(): number {
    return this.inner.id;
  }
  get proto(): Protocol {
    return this.inner.proto;
  }
  get local(): Endpoint {
    return this.inner.local;
  }
  get remote(): Endpoint {
    return this.inner.remote;
  }
  get stats(): ChannelStats {
    return this.inner.stats;
  }
  get fd(): number | undefined {
    return this.inner.fd;
  }
  get program(): ProgramControl | undefined {
    return this.inner.program;
  }
  get tls(): TlsInfo | undefined {
    return this.inner.tls;
  }

  /** STARTTLS under the faults: they keep acting on the plaintext, as they did before the upgrade. */
  startTls(options?: Partial<TlsOptions>): Promise<TlsInfo> {
    if (!this.inner.startTls) throw new Error(`connection ${this.id} cannot start TLS (${this.proto})`);
    return this.inner.startTls(options);
  }
  get writeClosed(): boolean {
    return this.wClosed || this.inner.writeClosed;
  }
  get readClosed(): boolean {
    return this.rClosed || this.endEmitted || this.isClosed;
  }
  get closed(): boolean {
    return this.isClosed;
  }

  /** Switches a fault on for this connection (now, or at its `from=`). */
  addFault(entry: FaultEntry): void {
    if (this.isClosed) return;
    if (entry.dirs.includes('out')) this.ensureNodelay();
    this.pipeline.add(entry);
  }

  /** Switches a fault off, passing on what it holds. */
  removeFault(id: number): void {
    this.pipeline.remove(id);
  }

  // ---- sending ------------------------------------------------------------------------------

  send(data: Uint8Array, written?: () => void): boolean {
    if (this.writeClosed) throw new Error(`connection ${this.id} is closed for writing`);
    if (!this.live('out')) return this.write(data, written);
    // The faults may keep the bytes; the caller may reuse its buffer as soon as `written` runs.
    const owned = Buffer.from(data);
    written?.();
    this.pipeline.push('out', owned);
    const full = this.innerFull || this.pipeline.held('out') > HOLD_HIGH_WATER;
    if (full) this.sendRefused = true;
    return !full;
  }

  private deliverOut(chunk: Uint8Array): void {
    if (this.inner.writeClosed || this.inner.closed) {
      // Behind a FIN or a closed socket the bytes cannot go; say so once rather than throw.
      if (this.discarded === 0)
        this.hooks.log(this, `bytes a fault passed on after the write side closed are discarded`, 'warn');
      this.discarded += chunk.length;
      return;
    }
    this.write(chunk);
  }

  /** Pass-through fast path: with no fault on the connection, no search of the pipeline. */
  private live(dir: 'in' | 'out'): boolean {
    return this.pipeline.stages.length > 0 && this.pipeline.live(dir);
  }

  /** One callback for every write that has none of its own (no closure per write). */
  private readonly wroteOne = (): void => {
    this.writesInFlight--;
    if (this.resetPending) this.maybeReset();
  };

  private write(data: Uint8Array, written?: () => void): boolean {
    this.writesInFlight++;
    const ok = this.inner.send(
      data,
      written
        ? () => {
            this.writesInFlight--;
            written();
            if (this.resetPending) this.maybeReset();
          }
        : this.wroteOne,
    );
    if (!ok) {
      this.innerFull = true;
      this.sendRefused = true;
    }
    return ok;
  }

  // ---- receiving ----------------------------------------------------------------------------

  private received(chunk: Buffer): void {
    if (!this.live('in')) {
      this.deliverIn(chunk);
      return;
    }
    this.pipeline.push('in', this.copyReads ? Buffer.from(chunk) : chunk);
    if (this.pipeline.held('in') > HOLD_HIGH_WATER) this.hold('faults hold too much', true);
  }

  private deliverIn(chunk: Buffer): void {
    if (this.rClosed || this.isClosed) return;
    if (this.userPaused || this.inQueue.length > 0) {
      // A borrowed chunk cannot wait; one that came through the faults is already a copy.
      this.inQueue.push(this.copyReads && !this.pipeline.live('in') ? Buffer.from(chunk) : chunk);
      return;
    }
    this.emit('data', chunk);
  }

  private flushInQueue(force: boolean): void {
    while (this.inQueue.length > 0 && (force || !this.userPaused)) {
      const chunk = this.inQueue.shift()!;
      if (!this.rClosed) this.emit('data', chunk);
    }
  }

  // ---- flow control -------------------------------------------------------------------------

  pause(): void {
    this.userPaused = true;
    this.hold('reader', true);
  }

  resume(): void {
    this.userPaused = false;
    this.flushInQueue(false);
    this.hold('reader', false);
    this.maybeEnd();
  }

  /** Stops reading while any reason holds it (the reader, a fault, the faults' high-water mark). */
  hold(reason: string, on: boolean): void {
    const before = this.holds.size;
    if (on) this.holds.add(reason);
    else this.holds.delete(reason);
    if (this.isClosed) return;
    if (before === 0 && this.holds.size > 0) this.inner.pause();
    else if (before > 0 && this.holds.size === 0) this.inner.resume();
  }

  /** After any movement: FIN, end, RST and drain wait for what the faults hold. */
  private settled(): void {
    if (this.isClosed) return;
    const heldIn = this.pipeline.held('in');
    if (heldIn <= HOLD_LOW_WATER) this.hold('faults hold too much', false);
    if (this.finPending && this.pipeline.held('out') === 0) {
      this.finPending = false;
      if (!this.inner.writeClosed) this.inner.shutdown('write');
    }
    if (this.resetPending) this.maybeReset();
    this.maybeEnd();
    this.maybeDrain();
  }

  private maybeDrain(): void {
    if (!this.sendRefused || this.innerFull || this.pipeline.held('out') > HOLD_LOW_WATER) return;
    this.sendRefused = false;
    this.emit('drain');
  }

  private maybeEnd(): void {
    if (!this.peerEnded || this.endEmitted || this.isClosed) return;
    if (this.pipeline.held('in') > 0 || this.inQueue.length > 0) return;
    this.endEmitted = true;
    this.emit('end');
  }

  // ---- closing ------------------------------------------------------------------------------

  shutdown(how: 'write' | 'read'): void {
    if (how === 'read') {
      this.rClosed = true;
      this.inQueue.length = 0;
      this.inner.shutdown('read');
      return;
    }
    if (this.writeClosed) return;
    this.wClosed = true;
    this.finPending = true;
    this.pipeline.endOf('out');
    this.settled();
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.wClosed = true;
    // Closing ends the faults: what they hold goes on now, in order, before the socket closes.
    this.pipeline.stopAll();
    this.flushInQueue(true);
    await this.inner.close();
  }

  reset(): void {
    if (this.isClosed) return;
    this.wClosed = true;
    this.pipeline.stopAll();
    this.flushInQueue(true);
    this.inner.reset();
  }

  /** A fault's RST comes after the bytes it let through have reached the peer (see peerHasRead). */
  private faultReset(by: FaultEntry): void {
    if (this.isClosed || this.resetPending) return;
    this.resetByFault = by;
    this.wClosed = true;
    this.finPending = false;
    this.resetPending = true;
    this.maybeReset();
  }

  private maybeReset(): void {
    if (!this.resetPending || this.isClosed) return;
    if (this.pipeline.held('out') > 0 || this.writesInFlight > 0) return;
    this.resetPending = false;
    void peerHasRead(this.inner).then(() => {
      if (this.isClosed) return;
      this.pipeline.stopAll();
      this.flushInQueue(true);
      this.inner.reset();
    });
  }

  private innerClosed(reason: CloseReason, error: NetError | undefined): void {
    // Received bytes the faults still hold reach the application before it hears of the close.
    this.pipeline.stopAll();
    this.flushInQueue(true);
    if (this.peerEnded && !this.endEmitted) {
      this.endEmitted = true;
      this.emit('end');
    }
    this.isClosed = true;
    this.holds.clear();
    this.emit('close', reason, error);
  }

  // ---- options ------------------------------------------------------------------------------

  setOption(name: keyof SocketOptionValues, value: number | boolean): void {
    this.inner.setOption(name, value);
  }

  readOptions(): SocketOptionValues {
    return this.inner.readOptions();
  }

  /**
   * While faults shape what we send, Nagle's algorithm would merge the pieces they cut and pace
   * (fragment, throttle): TCP_NODELAY makes each write its own segment.
   */
  private ensureNodelay(): void {
    if (this.nodelayChecked || this.inner.proto !== 'tcp') return;
    this.nodelayChecked = true;
    try {
      if (this.inner.readOptions().nodelay === true) return;
      this.inner.setOption('nodelay', true);
      this.hooks.log(this, 'TCP_NODELAY set, so segments leave as the faults shape them', 'info');
    } catch (err) {
      this.hooks.log(this, `could not set TCP_NODELAY: ${(err as Error).message}`, 'warn');
    }
  }
}

function toBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}
