/**
 * The Internet checksum (RFC 1071) that IPv4 headers and TCP/UDP segments carry: the ones'
 * complement of the ones'-complement sum of 16-bit big-endian words. Sums are kept unfolded
 * (a plain number) so several pieces (pseudo-header, header, payload) add up before folding.
 *
 * Payloads are summed 32 bits at a time through a typed-array view (the ones'-complement sum does
 * not care about byte order but for a final swap, RFC 1071 section 2): several times faster than
 * byte by byte, which is what keeps `--pcap` cheap on a bulk transfer.
 */

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
/** 32-bit words summed before folding: 2^20 * 2^32 stays below 2^53. */
const FOLD_EVERY = 1 << 20;

const swap16 = (x: number) => ((x & 0xff) << 8) | (x >> 8);

function fold(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s % 0x10000) + Math.floor(s / 0x10000);
  return s;
}

/**
 * Adds the big-endian 16-bit words of `bytes[start, end)` to `sum`; an odd last byte is padded
 * with zero (words are counted from `start`).
 */
export function sumWords(bytes: Uint8Array, sum = 0, start = 0, end = bytes.length): number {
  let acc = 0;
  let p = start;
  const base = bytes.byteOffset;
  // Bytes before the first 4-byte-aligned address, one by one.
  while (p < end && (base + p) % 4 !== 0) {
    acc += (p - start) % 2 === 0 ? bytes[p]! << 8 : bytes[p]!;
    p++;
  }
  const words = Math.floor((end - p) / 4);
  if (words > 0) {
    const view = new Uint32Array(bytes.buffer, base + p, words);
    let s = 0;
    for (let i = 0; i < words; ) {
      const stop = Math.min(words, i + FOLD_EVERY);
      for (; i < stop; i++) s += view[i]!;
      s = fold(s);
    }
    // As the machine reads them: little-endian words are the byte-swapped sum.
    const be = LITTLE_ENDIAN ? swap16(fold(s)) : fold(s);
    acc += (p - start) % 2 === 0 ? be : swap16(be);
    p += words * 4;
  }
  for (; p < end; p++) acc += (p - start) % 2 === 0 ? bytes[p]! << 8 : bytes[p]!;
  return sum + acc;
}

/** Folds a sum to 16 bits and complements it: the value that goes into the header. */
export function finishChecksum(sum: number): number {
  return ~fold(sum) & 0xffff;
}

/** The checksum of one run of bytes. */
export function internetChecksum(bytes: Uint8Array): number {
  return finishChecksum(sumWords(bytes));
}
