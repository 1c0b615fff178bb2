import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatHex, parseHex } from '../../../src/codec/input.js';
import { UsageError } from '../../../src/errors.js';

const DEADBEEF = [0xde, 0xad, 0xbe, 0xef];

describe('parseHex', () => {
  it.each([
    'de ad be ef',
    'deadbeef',
    'DEADBEEF',
    '0xde 0xad 0xbe 0xef',
    '0xdeadbeef',
    '0XDE,0XAD,0XBE,0XEF',
    '\\xde\\xad\\xbe\\xef',
    'de:ad:be:ef',
    'de-ad-be-ef',
    '  de\tad\nbe  ef  ',
    'dead beef',
  ])('reads %j', (text) => {
    expect([...parseHex(text)]).toEqual(DEADBEEF);
  });

  it('reads a prefixed single digit as one byte', () => {
    expect([...parseHex('0x1 0x2 0xff')]).toEqual([1, 2, 255]);
    expect([...parseHex('\\x7')]).toEqual([7]);
  });

  it('reads nothing from nothing', () => {
    expect(parseHex('').length).toBe(0);
    expect(parseHex('  : ').length).toBe(0);
  });

  it('points at the offending character', () => {
    expect(() => parseHex('de ad gx')).toThrow("bad hex at column 7: 'g'");
    expect(() => parseHex('deadbeeg')).toThrow("bad hex at column 8: 'g'");
    expect(() => parseHex('0xzz')).toThrow("bad hex at column 3 after '0x': 'z'");
    expect(() => parseHex('de\u0001')).toThrow("bad hex at column 3: '\\x01'");
  });

  it('counts columns in characters, not UTF-16 units', () => {
    expect(() => parseHex('😀 zz')).toThrow("bad hex at column 1: '😀'");
    expect(() => parseHex('de 😀')).toThrow("bad hex at column 4: '😀'");
  });

  it('rejects half bytes', () => {
    expect(() => parseHex('dea')).toThrow(/odd number of hex digits at column 1: 'dea'/);
    expect(() => parseHex('de a')).toThrow(/odd number of hex digits at column 4: 'a'/);
  });

  it('says when a prefix has no digits', () => {
    expect(() => parseHex('de 0x')).toThrow("expected hex digits after '0x' at the end");
    expect(() => parseHex('\\x')).toThrow("expected hex digits after '\\x' at the end");
  });

  it('throws UsageError (exit 2)', () => {
    expect(() => parseHex('zz')).toThrow(UsageError);
  });

  it('round-trips with formatHex in every separator style', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.constantFrom('', ' ', ':', '-', ','), (bytes, sep) => {
        const text = formatHex(bytes, sep);
        expect(Buffer.from(parseHex(text)).equals(Buffer.from(bytes))).toBe(true);
        expect(parseHex(text.toUpperCase()).equals(Buffer.from(bytes))).toBe(true);
      }),
    );
  });

  it('round-trips the 0x and \\x spellings', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 32 }), (bytes) => {
        const ox = [...bytes].map((b) => `0x${b.toString(16)}`).join(' ');
        const bx = [...bytes].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
        expect([...parseHex(ox)]).toEqual([...bytes]);
        expect([...parseHex(bx)]).toEqual([...bytes]);
      }),
    );
  });
});

describe('formatHex', () => {
  it('is lowercase, optionally separated', () => {
    expect(formatHex(Uint8Array.from(DEADBEEF))).toBe('deadbeef');
    expect(formatHex(Uint8Array.from(DEADBEEF), ' ')).toBe('de ad be ef');
    expect(formatHex(new Uint8Array(0), ' ')).toBe('');
  });

  it('respects subarray views', () => {
    const view = Uint8Array.from([1, 2, 3, 4]).subarray(1, 3);
    expect(formatHex(view)).toBe('0203');
  });
});
