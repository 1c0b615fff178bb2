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

/** The longest delay `setTimeout` honours; it cuts a longer one to 1 ms. */
const MAX_TIMEOUT = 2 ** 31 - 1;

export const realClock: FaultClock = {
  now: () => performance.now(),
  setTimer(ms, fn) {
    // `delay:30d` or `reset:after=1000h` would otherwise fire every millisecond: wait in steps.
    let timer: NodeJS.Timeout;
    const wait = (left: number) => {
      timer =
        left > MAX_TIMEOUT
          ? setTimeout(() => wait(left - MAX_TIMEOUT), MAX_TIMEOUT)
          : setTimeout(fn, Math.max(0, left));
    };
    wait(ms);
    return () => clearTimeout(timer);
  },
};
