import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { finishChecksum, sumWords } from '../../../src/capture/checksum.js';

/** RFC 1071 byte by byte: the reference the fast version must agree with. */
function reference(bytes: Uint8Array, start: number, end: number): number {
  let s = 0;
  for (let i = start; i < end; i += 2) s += (bytes[i]! << 8) | (i + 1 < end ? bytes[i + 1]! : 0);
  while (s > 0xffff) s = (s % 0x10000) + Math.floor(s / 0x10000);
  return ~s & 0xffff;
}

describe('internet checksum', () => {
  it('agrees with the byte-by-byte sum for any alignment, range and length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.nat(7), fc.nat(), fc.nat(), (data, shift, a, b) => {
        // Copy at an offset into a larger buffer, so the view starts at every alignment.
        const backing = new Uint8Array(data.length + 8);
        backing.set(data, shift);
        const view = backing.subarray(shift, shift + data.length);
        const start = data.length ? a % (data.length + 1) : 0;
        const end = start + (data.length - start ? b % (data.length - start + 1) : 0);
        expect(finishChecksum(sumWords(view, 0, start, end))).toBe(reference(view, start, end));
      }),
      { numRuns: 2000 },
    );
  });

  it('folds large payloads exactly (all ones)', () => {
    const big = new Uint8Array(9 * 1024 * 1024).fill(0xff);
    expect(finishChecksum(sumWords(big))).toBe(reference(big, 0, big.length));
  });
});
