import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  packValues,
  parseBytesLiteral,
  parseFloatLiteral,
  parseIntegerLiteral,
  parsePackValue,
} from '../../../src/codec/pack-values.js';
import { compile, unpack } from '../../../src/codec/struct.js';
import { UsageError } from '../../../src/errors.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('parseIntegerLiteral', () => {
  it.each([
    ['42', 42n],
    ['-7', -7n],
    ['+7', 7n],
    ['0x10', 16n],
    ['-0xff', -255n],
    ['0XDEADBEEF', 0xdeadbeefn],
    ['0o17', 15n],
    ['0b1010', 10n],
    ['1_000_000', 1000000n],
    ['007', 7n],
    ['18446744073709551615', 18446744073709551615n],
    ['0x123456789abcdef0123', 0x123456789abcdef0123n],
  ])('%s → %s', (text, value) => {
    expect(parseIntegerLiteral(text)).toBe(value);
  });

  it.each(['', '1.5', 'abc', '0x', '--1', '1e3', '1__0', '_1', '0xg'])('rejects %j', (text) => {
    expect(parseIntegerLiteral(text)).toBeUndefined();
  });

  it('is exact at any size', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }), (n) => {
        expect(parseIntegerLiteral(n.toString())).toBe(n);
        const h = (n < 0n ? '-0x' : '0x') + (n < 0n ? -n : n).toString(16);
        expect(parseIntegerLiteral(h)).toBe(n);
      }),
    );
  });
});

describe('parseFloatLiteral', () => {
  it.each([
    ['1.5', 1.5],
    ['-2e-3', -0.002],
    ['.5', 0.5],
    ['5.', 5],
    ['7', 7],
    ['0x10', 16],
    ['inf', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['1e400', Number.POSITIVE_INFINITY],
    ['-0', -0],
  ])('%s → %s', (text, value) => {
    expect(Object.is(parseFloatLiteral(text), value)).toBe(true);
  });

  it('reads nan', () => {
    expect(parseFloatLiteral('nan')).toBeNaN();
    expect(parseFloatLiteral('NaN')).toBeNaN();
  });

  it.each(['', 'abc', '1.2.3', '1e', 'e5', '0x1.8p1'])('rejects %j', (text) => {
    expect(parseFloatLiteral(text)).toBeUndefined();
  });

  it('reads back what JavaScript prints', () => {
    fc.assert(
      // String(-0) is '0': the sign is lost before parsing, so -0 is left out.
      fc.property(
        fc.double({ noNaN: true }).filter((x) => !Object.is(x, -0)),
        (x) => {
          expect(Object.is(parseFloatLiteral(String(x)), x)).toBe(true);
        },
      ),
    );
  });
});

describe('parseBytesLiteral', () => {
  it('reads text with escapes, or hex after hex:', () => {
    expect(hex(parseBytesLiteral('abc'))).toBe('616263');
    expect(hex(parseBytesLiteral('\\x00\\xff'))).toBe('00ff');
    expect(hex(parseBytesLiteral('hex:00ff'))).toBe('00ff');
    expect(hex(parseBytesLiteral('HEX:de ad'))).toBe('dead');
    expect(hex(parseBytesLiteral('中', 'gbk'))).toBe('d6d0');
    expect(hex(parseBytesLiteral(''))).toBe('');
  });
});

describe('parsePackValue', () => {
  it('reads each code the way a shell user writes it', () => {
    expect(parsePackValue('true', '?', 1)).toBe(true);
    expect(parsePackValue('FALSE', '?', 1)).toBe(false);
    expect(parsePackValue('1', '?', 1)).toBe(true);
    expect(parsePackValue('A', 'c', 1)).toEqual(Buffer.from('A'));
    expect(parsePackValue('\\n', 'c', 1)).toEqual(Buffer.from('\n'));
    expect(parsePackValue('hex:ff', 'c', 1)).toEqual(Buffer.from([0xff]));
    expect(parsePackValue('2.5', 'f', 1)).toBe(2.5);
    expect(parsePackValue('12', 'H', 1)).toBe(12);
    expect(parsePackValue('18446744073709551615', 'Q', 1)).toBe(18446744073709551615n);
  });

  it('names the value and the code when it cannot', () => {
    expect(() => parsePackValue('maybe', '?', 3)).toThrow(
      "value 3 ('maybe') for '?' must be true, false, 1 or 0",
    );
    expect(() => parsePackValue('ab', 'c', 1)).toThrow(
      "value 1 ('ab') for 'c' must be exactly one byte, got 2",
    );
    expect(() => parsePackValue('1.5', 'I', 2)).toThrow(
      "value 2 ('1.5') for 'I' is not an integer (use decimal or 0x hex)",
    );
    expect(() => parsePackValue('x', 'd', 1)).toThrow("value 1 ('x') for 'd' is not a number");
    expect(() => parsePackValue('hex:zz', 's', 4)).toThrow("value 4 for 's': bad hex at column 1: 'z'");
    expect(() => parsePackValue('\\q', 's', 1)).toThrow(UsageError);
  });
});

describe('packValues', () => {
  it('packs the issue examples', () => {
    expect(hex(packValues('>HI', ['1', '123456']))).toBe('00010001e240');
    expect(hex(packValues('<I3sf', ['1', 'abc', '2.7']))).toBe('01000000616263cdcc2c40');
    expect(hex(packValues('!BBH', ['1', '2', '0x304']))).toBe('01020304');
    expect(hex(packValues('>4s', ['hex:00ff']))).toBe('00ff0000');
    expect(hex(packValues('<q', ['-1']))).toBe('ffffffffffffffff');
    expect(hex(packValues('>Q', ['0xffffffffffffffff']))).toBe('ffffffffffffffff');
    expect(hex(packValues('4x', []))).toBe('00000000');
  });

  it('defaults to big-endian standard sizes, and follows --endian', () => {
    expect(hex(packValues('HI', ['1', '2']))).toBe('000100000002');
    expect(hex(packValues('HI', ['1', '2'], { endian: 'le' }))).toBe('010002000000');
    expect(hex(packValues('@bh', ['1', '2']))).toBe('01000200');
  });

  it('checks the count of values', () => {
    expect(() => packValues('>HI', ['1'])).toThrow("format '>HI' takes 2 values, got 1");
    expect(() => packValues('>H', ['1', '2'])).toThrow("format '>H' takes 1 value, got 2");
  });

  it('reports range errors from struct', () => {
    expect(() => packValues('>B', ['256'])).toThrow('ubyte format requires 0 <= number <= 255');
  });

  it('round-trips integers of every width through their decimal text', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('b', 'B', 'h', 'H', 'i', 'I', 'q', 'Q'),
        fc.constantFrom('<', '>'),
        fc.bigInt(),
        (code, order, n) => {
          const s = compile(`${order}${code}`);
          const bits = BigInt(s.size * 8);
          const signed = code === code.toLowerCase();
          const v = signed ? BigInt.asIntN(Number(bits), n) : BigInt.asUintN(Number(bits), n);
          const [back] = unpack(`${order}${code}`, packValues(`${order}${code}`, [v.toString()]));
          expect(BigInt(back as number | bigint)).toBe(v);
        },
      ),
    );
  });
});
