import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdleTimer } from '../../../src/net/idle-timer.js';

/**
 * The channel's own idle timer (relay workers moving bytes): it fires when the latest activity is
 * `ms` old, never while activity keeps coming, and exactly then when it stops.
 */
describe('IdleTimer.watch', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires `ms` after the last activity, not before', () => {
    let last = Date.now();
    const fired = vi.fn();
    const timer = new IdleTimer(1000, fired);
    timer.watch(() => last);
    vi.advanceTimersByTime(600);
    last = Date.now(); // activity at +600
    vi.advanceTimersByTime(999); // +1599: 999 ms after it
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1); // +1600
    expect(fired).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(10_000);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('stop() ends it for good', () => {
    const fired = vi.fn();
    const timer = new IdleTimer(100, fired);
    timer.watch(() => Date.now() - 50);
    timer.stop();
    vi.advanceTimersByTime(1000);
    expect(fired).not.toHaveBeenCalled();
  });

  it('for any activity times: fires at the first gap of `ms`, at the activity before it plus `ms`', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.array(fc.integer({ min: 0, max: 700 }), { maxLength: 30 }),
        (ms, gaps) => {
          vi.setSystemTime(1_000_000);
          const start = Date.now();
          // Activity times: each gap after the previous one (the first after the start).
          const times: number[] = [];
          let t = start;
          for (const gap of gaps) {
            t += gap;
            times.push(t);
          }
          let expected = start + ms;
          let prev = start;
          for (const at of times) {
            if (at - prev > ms) break; // an activity exactly `ms` later is seen in time
            prev = at;
            expected = at + ms;
          }
          let firedAt: number | undefined;
          const timer = new IdleTimer(ms, () => {
            firedAt = Date.now();
          });
          const lastActivity = () => {
            const now = Date.now();
            let last = start;
            for (const at of times) if (at <= now) last = at;
            return last;
          };
          timer.watch(lastActivity);
          vi.advanceTimersByTime(times.length * 700 + ms + 1);
          timer.stop();
          expect(firedAt).toBe(expected);
        },
      ),
      { numRuns: 200 },
    );
  });
});
