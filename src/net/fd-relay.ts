import { EventEmitter } from 'node:events';
import { closeSync, fstatSync, writeSync } from 'node:fs';
import { isatty } from 'node:tty';
import { Worker } from 'node:worker_threads';
import {
  RELAY_STATE,
  type RelayMethod,
  type RelayStart,
  type RelayTapSpec,
  type RelayWorkerMessage,
  type RelayWorkerSetup,
} from './fd-relay-protocol.js';
import { nativeSockets, nativeSocketsAvailable } from './native.js';

/** A tap (RelayTapSpec) and, on the main thread, what receives the messages it posts. */
export interface RelayTapUse {
  /** The option it serves, for messages: `--pcap`, `-x`. */
  name: string;
  spec: RelayTapSpec;
  receive?: (message: unknown) => void;
}

export interface FdRelayEvents {
  /** The source ended: every byte of it is in the sink. */
  end: [];
  /** Reading the source or writing the sink failed with this errno code (ECONNRESET, EPIPE...). */
  error: [side: 'source' | 'sink', code: string];
}

/**
 * Moves bytes from one descriptor to another on a worker thread (fd-relay-worker.ts), Linux only:
 * pipe mode's fast path between a socket and standard input or output. No JavaScript runs per
 * chunk, `splice` keeps the bytes out of the process altogether, and the worker may block and nap
 * where the event loop could not, so this process and its peers wake each other up less often.
 * Whoever owns the descriptors must not read (source) or write (sink) them meanwhile.
 */
export class FdRelay extends EventEmitter<FdRelayEvents> {
  private readonly state = new SharedArrayBuffer(RELAY_STATE.bytes);
  private readonly counters = new Float64Array(this.state, 0, 3);
  private readonly worker: Worker;
  private readonly wakeWrite: number;
  private readonly exited: Promise<void>;
  private started = false;
  private running = true;
  private failure: string | undefined;

  /**
   * Boots the worker now, so that it is ready when start() gives it descriptors; until then it
   * does not keep the process alive.
   */
  constructor(method: RelayMethod) {
    super();
    const [wakeRead, wakeWrite] = nativeSockets().pipe();
    this.wakeWrite = wakeWrite;
    const workerData: RelayWorkerSetup = { method, wake: wakeRead, state: this.state };
    const worker = new Worker(new URL('./fd-relay-worker.js', import.meta.url), { workerData });
    this.worker = worker;
    worker.on('message', (message: RelayWorkerMessage) => {
      if (message.type === 'tap') this.taps[message.tap]?.receive?.(message.message);
      else if (message.type === 'end') this.emit('end');
      else if (message.type === 'error') this.emit('error', message.side, message.code);
    });
    // Only a bug gets here (the worker's own failures come as messages); say it, do not hide it,
    // but not before start(), when nobody listens yet.
    worker.on('error', (err) => {
      this.failure = `relay worker: ${err.message}`;
      if (this.started) this.emit('error', 'source', this.failure);
    });
    this.exited = new Promise((resolve) =>
      worker.once('exit', () => {
        this.running = false;
        closeSync(wakeWrite);
        // A worker that never started never took the read end over.
        if (!this.started) closeSync(wakeRead);
        resolve();
      }),
    );
    // Last: a 'message' listener added after unref() would hold the process open again.
    worker.unref();
  }

  private readonly taps: RelayTapUse[] = [];

  /** Before start(): a tap that sees every chunk, on the worker (RelayTapSpec; --pcap, -x). */
  addTap(tap: RelayTapUse): void {
    if (this.started) throw new Error('relay started already');
    this.taps.push(tap);
  }

  /** Starts moving bytes from `source` to `sink` (the relay works on duplicates of both). */
  start(source: number, sink: number): void {
    if (this.started) throw new Error('relay started already');
    this.started = true;
    const api = nativeSockets();
    const work: RelayStart = {
      source: api.dup(source),
      sink: api.dup(sink),
      sinkIsPipe: fstatSync(sink).isFIFO(),
      taps: this.taps.map((t) => t.spec),
    };
    this.worker.postMessage(work);
    this.worker.ref();
    const failure = this.failure;
    if (failure) process.nextTick(() => this.emit('error', 'source', failure));
  }

  /** Bytes taken from the source so far. */
  get taken(): number {
    return this.counters[RELAY_STATE.taken] ?? 0;
  }

  /** Bytes written to the sink so far. */
  get delivered(): number {
    return this.counters[RELAY_STATE.delivered] ?? 0;
  }

  /** Date.now() when bytes last moved either way; 0 before any did. */
  get movedAt(): number {
    return this.counters[RELAY_STATE.movedAt] ?? 0;
  }

  /**
   * Stops reading the source; resolves once everything already taken is in the sink and the
   * worker has closed its duplicates (the descriptors themselves stay open).
   */
  stop(): Promise<void> {
    if (!this.started) {
      void this.worker.terminate();
      return this.exited;
    }
    if (this.running) {
      Atomics.store(new Int32Array(this.state, RELAY_STATE.stopOffset, 1), 0, 1);
      try {
        writeSync(this.wakeWrite, Buffer.of(1));
      } catch {
        // EPIPE: the worker finished and closed its end already.
      }
    }
    return this.exited;
  }
}

/**
 * Whether descriptor `fd` of this process (standard input or output) may be relayed: Linux, and a
 * pipe, socket or file (not a terminal, whose reads and writes keep Node's path; with `devices`,
 * character devices such as /dev/null too). Whether koffi loads is left to bootRelay, at the
 * moment a worker is wanted: planning loads nothing.
 */
export function canRelay(fd: number, devices: boolean): boolean {
  if (process.platform !== 'linux' || isatty(fd)) return false;
  try {
    const st = fstatSync(fd);
    return st.isFIFO() || st.isSocket() || st.isFile() || (devices && st.isCharacterDevice());
  } catch {
    return false;
  }
}

/**
 * A relay booting on its worker, or undefined where none can run (koffi or libc would not load):
 * the bytes then stay on the ordinary path.
 */
export function bootRelay(method: RelayMethod): FdRelay | undefined {
  return nativeSocketsAvailable() ? new FdRelay(method) : undefined;
}
