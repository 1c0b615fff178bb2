import type { NetError } from '../errors.js';
import { CancelledError, EofError, TimeoutError } from './errors.js';
import type { ReceiveBuffer } from './receive-buffer.js';

/**
 * The receive loop every call of a tube shares: receives run one at a time in call order, each
 * checks the buffer on every change until its check gives a result, its deadline passes, its
 * signal aborts, or the input ends. Written with callbacks rather than an async loop: a script's
 * expect then costs one promise, settled by the data event that completes the match.
 */

/** What the loop needs from its tube. */
export interface LoopOwner {
  readonly buffer: ReceiveBuffer;
  /** The error of an input that ended by a reset or failure (a clean EOF has none). */
  readonly closeError: NetError | undefined;
  /** How the input ended, for an EOF message. */
  endedHow(): string;
  /** A receive is starting: reading must run (the tube may have paused it). */
  receiving(): void;
}

export interface ReceiveCall {
  /** What is waited for, as a message says it (computed only on failure when a function). */
  expected: string | (() => string);
  timeoutMs: number;
  encoding: string;
  signal?: AbortSignal;
}

export class ReceiveLoop {
  /** Receives waiting their turn, and how many are pending (running or waiting). */
  private readonly queued: (() => void)[] = [];
  private calls = 0;
  private running = 0;
  /** The running receive's wait (at most one runs). */
  private waker: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  /** Counts changes that move offsets in the buffer (unget, bytes dropped), so searches restart. */
  private moves = 0;

  constructor(private readonly owner: LoopOwner) {}

  /** True while a receive is running. */
  get busy(): boolean {
    return this.running > 0;
  }

  /** Something changed: the running receive checks again. */
  wake(): void {
    const w = this.waker;
    if (!w) return;
    this.waker = undefined;
    w();
  }

  /** The buffer changed other than at its end (an unget, dropped bytes): searches start over. */
  moved(): void {
    this.moves++;
    this.wake();
  }

  /** Stops the shared timer (the tube is detached). */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * Queues a receive: `check` returns the result once the buffer holds it; `restart` makes the
   * call's matchers search from the start again.
   */
  run<T>(call: ReceiveCall, check: () => T | undefined, restart?: () => void): Promise<T> {
    const { buffer } = this.owner;
    const started = performance.now();
    const deadline = started + call.timeoutMs;
    let resolve!: (value: T) => void;
    let reject!: (err: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const expected = () => (typeof call.expected === 'string' ? call.expected : call.expected());
    let moves = 0;
    let dropped = 0;
    const onAbort = () => this.wake();
    const finish = (err: unknown, result?: T): void => {
      this.waker = undefined;
      this.running--;
      this.calls--;
      call.signal?.removeEventListener('abort', onAbort);
      // Between receives the timer must not keep the process alive.
      if (this.running === 0) this.timer?.unref();
      const next = this.queued.shift();
      if (next) queueMicrotask(next);
      if (err === undefined) resolve(result!);
      else {
        // Marked handled here: a caller may look at a failure later (or never).
        promise.catch(ignore);
        reject(err);
      }
    };
    const step = (): void => {
      let result: T | undefined;
      try {
        if (moves !== this.moves || dropped !== buffer.dropped) {
          moves = this.moves;
          dropped = buffer.dropped;
          restart?.();
        }
        result = check();
        if (result === undefined) {
          const now = performance.now();
          const elapsedMs = now - started;
          const details = {
            expected: expected(),
            received: buffer.peek(),
            elapsedMs,
            encoding: call.encoding,
          };
          if (buffer.atEnd) {
            if (this.owner.closeError) throw this.owner.closeError;
            throw new EofError({ ...details, how: this.owner.endedHow() });
          }
          if (call.signal?.aborted) throw new CancelledError(details);
          if (deadline - now <= 0) throw new TimeoutError({ ...details, timeoutMs: call.timeoutMs });
        }
      } catch (err) {
        finish(err);
        return;
      }
      if (result !== undefined) finish(undefined, result);
      else {
        // Woken on the next data, EOF, close, unget or abort, or at the deadline (see armTimer).
        this.armTimer(deadline);
        this.waker = step;
      }
    };
    const start = (): void => {
      this.running++;
      this.owner.receiving();
      moves = this.moves;
      dropped = buffer.dropped;
      call.signal?.addEventListener('abort', onAbort, { once: true });
      // A matcher may have searched for an earlier call (the tube shares them).
      restart?.();
      step();
    };
    // Queued behind the receives still pending; with none, it starts at once.
    if (this.calls++ === 0) start();
    else this.queued.push(start);
    return promise;
  }

  /**
   * One timer serves every wait: it is moved only when an earlier deadline needs it and is left
   * unreferenced between receives, since making and clearing a timer per wait cost a tenth of a
   * ping-pong's time. Waking early is harmless: the receive checks its own deadline.
   */
  private armTimer(deadline: number): void {
    if (deadline === Number.POSITIVE_INFINITY) return;
    if (this.timer && this.timerAt <= deadline) {
      this.timer.ref();
      return;
    }
    clearTimeout(this.timer);
    this.timerAt = deadline;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Number.POSITIVE_INFINITY;
        this.wake();
      },
      Math.max(0, Math.ceil(deadline - performance.now())),
    );
  }
}

function ignore(): void {}
