import { EventEmitter } from 'node:events';
import { closeSync, fstatSync, writeSync } from 'node:fs';
import { isatty } from 'node:tty';
import { Worker } from 'node:worker_threads';
import { nativeSockets } from './native.js';
import { SPLICE_STATE, type SpliceWorkerData, type SpliceWorkerMessage } from './splice-protocol.js';

export interface SpliceRelayEvents {
  /** The peer's FIN: every byte before it is in the sink. */
  end: [];
  /** `source`: the socket failed (ECONNRESET...); `sink`: writing failed (EPIPE...). */
  error: [side: 'source' | 'sink', code: string];
}

/**
 * Moves a TCP socket's incoming bytes to a descriptor inside the kernel (splice(2), Linux), on a
 * worker thread (splice-worker.ts): no copy into the process, no JavaScript per chunk, and fewer
 * wake-ups of this process and of the sender. The socket's Node object must not read meanwhile.
 */
export class SpliceRelay extends EventEmitter<SpliceRelayEvents> {
  private readonly state = new SharedArrayBuffer(SPLICE_STATE.bytes);
  private readonly counters = new Float64Array(this.state, 0, 2);
  private readonly wakeWrite: number;
  private readonly exited: Promise<void>;
  private running = true;

  constructor(socketFd: number, sinkFd: number) {
    super();
    const api = nativeSockets();
    const [wakeRead, wakeWrite] = api.pipe();
    this.wakeWrite = wakeWrite;
    const workerData: SpliceWorkerData = {
      source: api.dup(socketFd),
      sink: sinkFd,
      sinkIsPipe: fstatSync(sinkFd).isFIFO(),
      wake: wakeRead,
      state: this.state,
    };
    const worker = new Worker(new URL('./splice-worker.js', import.meta.url), { workerData });
    worker.on('message', (message: SpliceWorkerMessage) => {
      if (message.type === 'end') this.emit('end');
      else if (message.type === 'error') this.emit('error', message.side, message.code);
    });
    // Only a bug gets here (the worker's own failures come as messages); say it, do not hide it.
    worker.on('error', (err) => this.emit('error', 'source', `splice worker: ${err.message}`));
    this.exited = new Promise((resolve) =>
      worker.once('exit', () => {
        this.running = false;
        closeSync(wakeWrite);
        resolve();
      }),
    );
  }

  /** Bytes taken from the socket so far. */
  get received(): number {
    return this.counters[SPLICE_STATE.received] ?? 0;
  }

  /**
   * Stops reading the socket; resolves once everything already read is in the sink and the
   * worker has closed its descriptors (the socket itself stays open).
   */
  stop(): Promise<void> {
    if (this.running) {
      Atomics.store(new Int32Array(this.state, SPLICE_STATE.stopOffset, 1), 0, 1);
      try {
        writeSync(this.wakeWrite, Buffer.of(1));
      } catch {
        // EPIPE: the worker finished and closed its end already.
      }
    }
    return this.exited;
  }
}

/** Whether received bytes may go to `fd` by splice: Linux, koffi at hand, and not a terminal. */
export function canSpliceInto(fd: number): boolean {
  if (process.platform !== 'linux' || isatty(fd)) return false;
  try {
    nativeSockets();
    fstatSync(fd);
    return true;
  } catch {
    return false;
  }
}
