import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseHexBytes } from '../../../src/script/hex-literal.js';

const hex = (s: string) => Buffer.from(parseHexBytes(s)).toString('hex');

describe('parseHexBytes', () => {
  it('reads the usual spellings', () => {
    for (const s of [
      'de ad be ef',
      'deadbeef',
      '0xde 0xad 0xbe 0xef',
      'de:ad:be:ef',
      '\\xde\\xad\\xbe\\xef',
      'DE,AD BE-EF',
      ' dead  beef ',
    ]) {
      expect(hex(s)).toBe('deadbeef');
    }
  });

  it('rejects odd digits, non-hex and nothing', () => {
    expect(() => parseHexBytes('abc')).toThrow("odd number of hex digits at column 1: 'abc'");
    expect(() => parseHexBytes('zz')).toThrow("bad hex at column 1: 'z'");
    expect(() => parseHexBytes('  ')).toThrow('no hex bytes given');
    expect(() => parseHexBytes('aa\\x')).toThrow("bad hex: expected hex digits after '\\x' at the end");
  });

  it('reads what the REPL reads: a prefixed single digit is one byte', () => {
    expect(hex('0x1 \\xF')).toBe('010f');
  });

  it('round-trips any bytes in any separator style (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        fc.constantFrom(' ', ':', '', ' 0x'),
        (bytes, sep) => {
          const parts = [...bytes].map((b) => b.toString(16).padStart(2, '0'));
          const text = sep === ' 0x' ? parts.map((p) => `0x${p}`).join(' ') : parts.join(sep);
          expect(hex(text)).toBe(Buffer.from(bytes).toString('hex'));
        },
      ),
    );
  });
});
