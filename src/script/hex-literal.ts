import { UsageError } from '../errors.js';

/**
 * Parses hex bytes as people write them: `de ad be ef`, `deadbeef`, `0xde 0xad`, `de:ad:be:ef`,
 * `\xde\xad`, `de,ad`. Each group holds an even number of digits; groups are separated by
 * spaces, `:`, `,` or `-`.
 */
export function parseHexBytes(text: string): Uint8Array {
  const normalized = text.replace(/\\x/gi, ' ');
  const groups = normalized.split(/[\s:,-]+/).filter((g) => g !== '');
  if (groups.length === 0) throw new UsageError('no hex bytes given');
  const out: number[] = [];
  for (const group of groups) {
    const digits = /^0x/i.test(group) ? group.slice(2) : group;
    if (!/^[0-9a-fA-F]+$/.test(digits)) {
      const bad = [...digits].find((c) => !/[0-9a-fA-F]/.test(c)) ?? group;
      throw new UsageError(`'${group}' is not hex ('${bad}' is not a hex digit)`);
    }
    if (digits.length % 2 !== 0) {
      throw new UsageError(`'${group}' has an odd number of hex digits (write ${`0${digits}`} or pair them)`);
    }
    for (let k = 0; k < digits.length; k += 2) out.push(Number.parseInt(digits.slice(k, k + 2), 16));
  }
  return Uint8Array.from(out);
}
