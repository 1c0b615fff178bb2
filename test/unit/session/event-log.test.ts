import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventLog } from '../../../src/session/event-log.js';

describe('EventLog', () => {
  it('keeps the newest entries and counts what it dropped', () => {
    const log = new EventLog<number>({ maxEntries: 3, maxBytes: 1000 });
    for (let i = 1; i <= 5; i++) log.push(i);
    expect([...log.entries()].map((e) => e.item)).toEqual([3, 4, 5]);
    expect(log.dropped).toBe(2);
    expect(log.firstSeq).toBe(3);
    expect(log.get(2)).toBeUndefined();
    expect(log.get(4)?.item).toBe(4);
    expect(log.at(-1)?.item).toBe(5);
    expect([...log.reversed()].map((e) => e.item)).toEqual([5, 4, 3]);
  });

  it('is bounded in bytes too, but always keeps the newest entry', () => {
    const log = new EventLog<Buffer>({ maxEntries: 100, maxBytes: 10 }, (b) => b.length);
    log.push(Buffer.alloc(4));
    log.push(Buffer.alloc(4));
    log.push(Buffer.alloc(4));
    expect(log.length).toBe(2);
    expect(log.retainedBytes).toBe(8);
    log.push(Buffer.alloc(50));
    expect(log.length).toBe(1);
    expect(log.dropped).toBe(3);
    expect(log.droppedBytes).toBe(12);
  });

  it('clear() empties without counting drops; seqs keep rising', () => {
    const log = new EventLog<number>({ maxEntries: 4, maxBytes: 100 });
    log.push(1);
    log.push(2);
    log.clear();
    expect(log.length).toBe(0);
    expect(log.dropped).toBe(0);
    expect(log.push(3).seq).toBe(3);
    expect([...log.entries()].map((e) => e.item)).toEqual([3]);
  });

  it('property: retained + dropped = pushed, within both limits, newest last, seqs contiguous', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 200 }),
        fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 200 }),
        (maxEntries, maxBytes, sizes) => {
          const log = new EventLog<number>({ maxEntries, maxBytes }, (n) => n);
          sizes.forEach((n) => {
            log.push(n);
          });
          const kept = [...log.entries()];
          expect(kept.length + log.dropped).toBe(sizes.length);
          expect(kept.length).toBeLessThanOrEqual(maxEntries);
          if (kept.length > 1) expect(log.retainedBytes).toBeLessThanOrEqual(maxBytes);
          expect(log.retainedBytes).toBe(kept.reduce((a, e) => a + e.size, 0));
          expect(kept.map((e) => e.item)).toEqual(sizes.slice(sizes.length - kept.length));
          kept.forEach((e, i) => {
            expect(e.seq).toBe(log.firstSeq + i);
          });
        },
      ),
    );
  });
});
