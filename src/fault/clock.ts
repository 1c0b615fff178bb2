import { performance } from 'node:perf_hooks';

/**
 * Time as faults see it: a monotonic clock and one-shot timers. The real one runs on Node's
 * timers; unit tests of the fault transforms pass a fake one they advance by hand.
 */
export interface FaultClock {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** Runs `fn` once after `ms`; returns a function that cancels it. */
  setTimer(ms: number, fn: () => void): () => void;
}

export const realClock: FaultClock = {
  now: () => performance.now(),
  setTimer(ms, fn) {
    const timer = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(timer);
  },
};
