import { afterEach, describe, expect, it, vi } from 'vitest';
import { realClock } from '../../../src/fault/clock.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('realClock', () => {
  it('runs a timer after its delay, and not once cancelled', () => {
    vi.useFakeTimers();
    const fired: string[] = [];
    realClock.setTimer(100, () => fired.push('a'));
    const cancel = realClock.setTimer(100, () => fired.push('b'));
    cancel();
    vi.advanceTimersByTime(99);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['a']);
  });

  it('waits the whole of a delay longer than setTimeout takes (2^31-1 ms), and can cancel it', () => {
    vi.useFakeTimers();
    const long = 3 * 2 ** 31; // about 149 days: setTimeout alone would fire after 1 ms
    let fired = 0;
    realClock.setTimer(long, () => fired++);
    const cancel = realClock.setTimer(long, () => fired++);
    vi.advanceTimersByTime(1);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(2 ** 31 + 5);
    cancel();
    vi.advanceTimersByTime(long - 2 ** 31 - 7);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(1);
    expect(fired).toBe(1);
    vi.advanceTimersByTime(2 ** 32);
    expect(fired).toBe(1);
  });
});
