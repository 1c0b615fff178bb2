/**
 * The Internet checksum (RFC 1071) that IPv4 headers and TCP/UDP segments carry: the ones'
 * complement of the ones'-complement sum of 16-bit big-endian words. Sums are kept unfolded
 * (a plain number) so several pieces (pseudo-header, header, payload) add up before folding.
 */

/** Adds the big-endian 16-bit words of `bytes` to `sum`; an odd last byte is padded with zero. */
export function sumWords(bytes: Uint8Array, sum = 0, start = 0, end = bytes.length): number {
  let s = sum;
  let i = start;
  const even = end - ((end - start) & 1);
  // Folding every 2^15 words keeps the sum far below 2^53 and exact.
  while (i < even) {
    const stop = Math.min(even, i + 65536);
    for (; i < stop; i += 2) s += (bytes[i]! << 8) | bytes[i + 1]!;
    s = (s & 0xffff) + Math.floor(s / 0x10000);
  }
  if (even < end) s += bytes[even]! << 8;
  return s;
}

/** Folds a sum to 16 bits and complements it: the value that goes into the header. */
export function finishChecksum(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return ~s & 0xffff;
}

/** The checksum of one run of bytes. */
export function internetChecksum(bytes: Uint8Array): number {
  return finishChecksum(sumWords(bytes));
}
