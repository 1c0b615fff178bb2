import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pyBytesRepr, pyFloatRepr, pyRepr, pyReprFor, toJsonValue } from '../../../src/codec/value-format.js';

describe('Python reprs', () => {
  it.each([
    [2, '2.0'],
    [2.5, '2.5'],
    [-0, '-0.0'],
    [1e16, '1e+16'],
    [1.5e-7, '1.5e-07'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [123456789012345.6, '123456789012345.6'],
    [Number.POSITIVE_INFINITY, 'inf'],
    [Number.NaN, 'nan'],
    [2.700000047683716, '2.700000047683716'],
  ])('float %s is %s', (x, repr) => {
    expect(pyFloatRepr(x)).toBe(repr);
  });

  it('reads back as the same float', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        expect(Object.is(Number(pyFloatRepr(x)), x)).toBe(true);
      }),
    );
  });

  it('shows bytes as b-literals', () => {
    expect(pyBytesRepr(Buffer.from('abc'))).toBe("b'abc'");
    expect(pyBytesRepr(Buffer.from([0, 0x0a, 0x7f, 0xff, 0x5c]))).toBe("b'\\x00\\n\\x7f\\xff\\\\'");
    expect(pyBytesRepr(Buffer.from("it's"))).toBe('b"it\'s"');
    expect(pyBytesRepr(Buffer.from('\'"'))).toBe("b'\\'\"'");
  });

  it('shows other values as Python does', () => {
    expect(pyRepr(true)).toBe('True');
    expect(pyRepr(12)).toBe('12');
    expect(pyRepr(2n ** 64n - 1n)).toBe('18446744073709551615');
    expect(pyReprFor('f', 2)).toBe('2.0');
    expect(pyReprFor('I', 2)).toBe('2');
  });
});

describe('toJsonValue', () => {
  it('keeps integers exact: numbers up to 2^53, decimal strings beyond', () => {
    expect(toJsonValue(2n ** 53n - 1n)).toBe(2 ** 53 - 1);
    expect(toJsonValue(2n ** 53n)).toBe('9007199254740992');
    expect(toJsonValue(-(2n ** 63n))).toBe('-9223372036854775808');
    expect(toJsonValue(7)).toBe(7);
  });

  it('writes floats as numbers, and the values JSON lacks as strings', () => {
    expect(toJsonValue(2.700000047683716)).toBe(2.700000047683716);
    expect(toJsonValue(1e300)).toBe(1e300);
    expect(toJsonValue(Number.NaN)).toBe('nan');
    expect(toJsonValue(Number.NEGATIVE_INFINITY)).toBe('-inf');
  });

  it('writes bytes as lowercase hex and booleans as booleans', () => {
    expect(toJsonValue(Buffer.from([0xab, 0x01]))).toBe('ab01');
    expect(toJsonValue(false)).toBe(false);
  });
});
