import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  calcsize,
  compile,
  floatToHalfBits,
  halfBitsToFloat,
  iterUnpack,
  pack,
  StructError,
  type StructValue,
  unpack,
  unpackFrom,
} from '../../../src/codec/struct.js';
import { UsageError } from '../../../src/errors.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => Buffer.from(h, 'hex');

describe('calcsize', () => {
  it.each([
    ['<I3sf', 11],
    ['>HHI', 8],
    ['!BBH', 4],
    ['=bh', 3],
    ['<q', 8],
    ['<e', 2],
    ['<10x', 10],
    ['<0s', 0],
    ['', 0],
    ['< i', 4],
    ['<i ', 4],
    ['<2i 3h', 14],
  ])('%j is %d bytes', (fmt, size) => {
    expect(calcsize(fmt)).toBe(size);
  });

  it('uses native sizes and alignment for @ (and by default), as on LP64 Linux', () => {
    expect(calcsize('@bh')).toBe(4);
    expect(calcsize('bh')).toBe(4);
    expect(calcsize('@b0h')).toBe(2);
    expect(calcsize('@bq')).toBe(16);
    expect(calcsize('@bl')).toBe(16);
    expect(calcsize('@be')).toBe(4);
    expect(calcsize('@b?')).toBe(2);
    expect(calcsize('@bn')).toBe(16);
    expect(calcsize('@bP')).toBe(16);
    expect(calcsize('@3xh')).toBe(6);
    expect(calcsize('@hb')).toBe(3);
    expect(calcsize('@ci')).toBe(8);
    expect(calcsize('@5sd')).toBe(16);
  });

  it('rejects malformed formats the way Python does, and says where', () => {
    expect(() => calcsize('<z')).toThrow("bad char in struct format: 'z' at position 1");
    expect(() => calcsize('3')).toThrow('repeat count given without format specifier');
    expect(() => calcsize('<2')).toThrow('repeat count given without format specifier');
    expect(() => calcsize('2 h')).toThrow("bad char in struct format: ' ' at position 1");
    expect(() => calcsize(' <i')).toThrow('a byte order character may only come first');
    expect(() => calcsize('<n')).toThrow('n, N and P need native mode');
    expect(() => calcsize('99999999999999999999x')).toThrow('total struct size too long');
  });

  it('is a usage error (exit 2)', () => {
    expect(() => calcsize('<z')).toThrow(StructError);
    expect(() => calcsize('<z')).toThrow(UsageError);
  });
});

describe('pack / unpack', () => {
  it('matches known Python results', () => {
    expect(hex(pack('<I3sf', 1, Buffer.from('abc'), 2.7))).toBe('01000000616263cdcc2c40');
    expect(unpack('<I3sf', bytes('01000000616263cdcc2c40'))).toEqual([
      1,
      Buffer.from('abc'),
      2.700000047683716,
    ]);
    expect(hex(pack('>HI', 1, 123456))).toBe('00010001e240');
    expect(hex(pack('!BBH', 1, 2, 0x0304))).toBe('01020304');
    expect(hex(pack('<q', -2n))).toBe('feffffffffffffff');
    expect(hex(pack('>Q', 0xffffffffffffffffn))).toBe('ffffffffffffffff');
    expect(hex(pack('<e', 1.5))).toBe('003e');
    expect(hex(pack('>d', -0))).toBe('8000000000000000');
    expect(hex(pack('<?2x?', true, 0))).toBe('01000000');
    expect(hex(pack('@bh', 1, 2))).toBe('01000200');
  });

  it('gives 8-byte integers as BigInt, never rounded', () => {
    const [q, Q] = unpack('<qQ', bytes('ffffffffffffff7fffffffffffffffff'));
    expect(q).toBe(9223372036854775807n);
    expect(Q).toBe(18446744073709551615n);
    expect(unpack('@l', bytes('0100000000000000'))).toEqual([1n]);
    expect(unpack('<l', bytes('01000000'))).toEqual([1]);
  });

  it('takes numbers or BigInts for any integer code, and booleans as 0/1', () => {
    expect(hex(pack('<Q', 2 ** 53))).toBe('0000000000002000');
    expect(hex(pack('<B', 255n))).toBe('ff');
    expect(hex(pack('<B', true))).toBe('01');
    expect(hex(pack('<f', true))).toBe('0000803f');
    expect(hex(pack('<d', 3n))).toBe('0000000000000840');
  });

  it('handles s and p like Python: truncate, pad, length byte', () => {
    expect(hex(pack('<5s', Buffer.from('abc')))).toBe('6162630000');
    expect(hex(pack('<2s', Buffer.from('abc')))).toBe('6162');
    expect(hex(pack('<0s', Buffer.from('abc')))).toBe('');
    expect(hex(pack('<3p', Buffer.from('abcdef')))).toBe('026162');
    expect(hex(pack('<1p', Buffer.from('abc')))).toBe('00');
    expect(hex(pack('<0p', Buffer.from('abc')))).toBe('');
    expect(pack('<300p', Buffer.alloc(400, 0x61))[0]).toBe(255);
    expect(unpack('<3p', bytes('056162'))).toEqual([Buffer.from('ab')]);
    expect(unpack('<0p3p', bytes('056162'))).toEqual([Buffer.alloc(0), Buffer.from('ab')]);
    expect(unpack('<2c', bytes('4142'))).toEqual([Buffer.from('A'), Buffer.from('B')]);
    expect(unpack('<?', bytes('05'))).toEqual([true]);
  });

  it('rejects wrong values with Python-like messages', () => {
    expect(() => pack('<b', 200)).toThrow('byte format requires -128 <= number <= 127 (argument 1 is 200)');
    expect(() => pack('<hB', 1, -1)).toThrow('ubyte format requires 0 <= number <= 255 (argument 2 is -1)');
    expect(() => pack('<h', 40000)).toThrow('short format requires -32768 <= number <= 32767');
    expect(() => pack('<H', -1)).toThrow('ushort format requires 0 <= number <= 65535');
    expect(() => pack('<I', -1)).toThrow("'I' format requires 0 <= number <= 4294967295");
    expect(() => pack('<q', 2n ** 63n)).toThrow("'q' format requires -9223372036854775808 <= number");
    expect(() => pack('<I', 1.5)).toThrow('required argument is not an integer');
    // The types refuse these too (PackArgs); the run-time checks are for JavaScript callers.
    // @ts-expect-error
    expect(() => pack('<I', Buffer.from('x'))).toThrow('required argument is not an integer');
    // @ts-expect-error
    expect(() => pack('<f', Buffer.from('x'))).toThrow('required argument is not a float');
    expect(() => pack('<d', 10n ** 400n)).toThrow('int too large to convert to float');
    // @ts-expect-error
    expect(() => pack('<s', 1)).toThrow("argument for 's' must be a bytes object");
    expect(() => pack('<c', Buffer.from('ab'))).toThrow('char format requires a bytes object of length 1');
    // @ts-expect-error
    expect(() => pack('<I', 1, 2)).toThrow('pack expected 1 items for packing (got 2)');
    expect(() => pack('<e', 65520)).toThrow('float too large to pack with e format');
    expect(() => pack('<f', 3.5e38)).toThrow('float too large to pack with f format');
    expect(() => unpack('<I', bytes('1234'))).toThrow('unpack requires a buffer of 4 bytes');
  });

  it('refuses to pack more than 64 MiB with a StructError, before allocating anything', () => {
    // calcsize is fine with it, as in Python; only packing needs the memory.
    expect(calcsize('9999999999999x')).toBe(9999999999999);
    expect(() => pack('9999999999999x')).toThrow(StructError);
    expect(() => pack('4294967296x')).toThrow('cannot pack 4294967296 bytes: one pack makes at most 64 MiB');
    expect(pack(`${64 * 1024 * 1024}x`).length).toBe(64 * 1024 * 1024);
  });

  it('packs float overflow in native mode as C does (infinity)', () => {
    expect(hex(pack('@f', 1e300))).toBe('0000807f');
    expect(() => pack('=f', 1e300)).toThrow('float too large');
  });

  it('unpacks from an offset and iterates records', () => {
    expect(unpackFrom('>H', bytes('00010203'), 1)).toEqual([0x0102]);
    expect(unpackFrom('>H', bytes('00010203'), -2)).toEqual([0x0203]);
    expect(() => unpackFrom('>I', bytes('0001'), 1)).toThrow(
      'unpack_from requires a buffer of at least 5 bytes for unpacking 4 bytes at offset 1 (actual buffer size is 2)',
    );
    expect([...iterUnpack('>H', bytes('00010002'))]).toEqual([[1], [2]]);
    expect(() => [...iterUnpack('>H', bytes('000100'))]).toThrow('multiple of 2 bytes');
  });

  it('packs into a buffer without touching it on error', () => {
    const s = compile('>HH');
    const target = Buffer.alloc(6, 0xee);
    s.packInto(target, 1, 1, 2);
    expect(hex(target)).toBe('ee00010002ee');
    expect(() => s.packInto(target, 1, 1, 70000)).toThrow('ushort format');
    expect(hex(target)).toBe('ee00010002ee');
    expect(() => s.packInto(target, 4, 1, 2)).toThrow('pack_into requires a buffer of at least 8 bytes');
  });

  it('uses a default byte order for formats without one when asked (sockrepl --endian)', () => {
    expect(hex(compile('HI', { endian: 'be' }).pack(1, 2))).toBe('000100000002');
    expect(hex(compile('HI', { endian: 'le' }).pack(1, 2))).toBe('010002000000');
    expect(compile('bh', { endian: 'be' }).size).toBe(3);
    expect(hex(compile('<H', { endian: 'be' }).pack(1))).toBe('0100');
  });

  it('describes each value: code, offset, size', () => {
    expect(compile('<I3s2xHf').fields()).toEqual([
      { code: 'I', offset: 0, size: 4, label: 'I' },
      { code: 's', offset: 4, size: 3, label: '3s' },
      { code: 'H', offset: 9, size: 2, label: 'H' },
      { code: 'f', offset: 11, size: 4, label: 'f' },
    ]);
    expect(compile('@bi').fields()[1]).toMatchObject({ offset: 4 });
  });
});

describe('float16', () => {
  it('decodes every bit pattern, and packing gives the same bits back (NaN aside)', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      const x = halfBitsToFloat(bits);
      if (Number.isNaN(x)) continue;
      expect(floatToHalfBits(x)).toBe(bits);
    }
  });

  it('rounds half to even, underflows to zero, and overflows as Python does', () => {
    expect(floatToHalfBits(2 ** -25)).toBe(0);
    expect(floatToHalfBits(2 ** -24 * 1.5)).toBe(2);
    expect(floatToHalfBits(2 ** -25 * 1.0000001)).toBe(1);
    expect(floatToHalfBits(65519.99)).toBe(0x7bff);
    expect(() => floatToHalfBits(65520)).toThrow('float too large');
    expect(floatToHalfBits(Number.NaN)).toBe(0x7e00);
    expect(floatToHalfBits(Number.NEGATIVE_INFINITY)).toBe(0xfc00);
    expect(floatToHalfBits(1 + 2 ** -11)).toBe(0x3c00);
    expect(floatToHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02);
  });
});

/** A format and values that fit it, for the round-trip property. */
const formatAndValues = fc
  .tuple(
    fc.constantFrom('<', '>', '!', '=', '@'),
    fc.array(
      fc.tuple(
        fc.constantFrom(...'xcbB?hHiIlLqQefds p'.replace(' ', '').split('')),
        fc.integer({ min: 0, max: 4 }),
      ),
      { maxLength: 8 },
    ),
  )
  .chain(([order, items]) => {
    const fmt = order + items.map(([c, n]) => (n === 1 ? c : `${n}${c}`)).join('');
    const s = compile(fmt);
    const arbs = s.fields().map((f) => valueFor(f.code, f.size, order === '@'));
    return fc.tuple(fc.constant(fmt), fc.tuple(...arbs));
  });

function valueFor(code: string, size: number, native: boolean): fc.Arbitrary<StructValue> {
  const bits = {
    b: 8,
    B: 8,
    h: 16,
    H: 16,
    i: 32,
    I: 32,
    l: native ? 64 : 32,
    L: native ? 64 : 32,
    q: 64,
    Q: 64,
  }[code];
  if (bits !== undefined) {
    const signed = code === code.toLowerCase();
    const min = signed ? -(2n ** BigInt(bits - 1)) : 0n;
    const max = signed ? 2n ** BigInt(bits - 1) - 1n : 2n ** BigInt(bits) - 1n;
    return bits === 64 ? fc.bigInt({ min, max }) : fc.integer({ min: Number(min), max: Number(max) });
  }
  switch (code) {
    case '?':
      return fc.boolean();
    case 'c':
      return fc.uint8Array({ minLength: 1, maxLength: 1 }).map((a) => Buffer.from(a));
    case 's':
      return fc.uint8Array({ minLength: size, maxLength: size }).map((a) => Buffer.from(a));
    case 'p':
      return fc.uint8Array({ maxLength: Math.max(0, size - 1) }).map((a) => Buffer.from(a));
    case 'e':
      return fc
        .integer({ min: 0, max: 0xffff })
        .map(halfBitsToFloat)
        .filter((x) => !Number.isNaN(x));
    case 'f':
      return fc.float({ noNaN: true });
    default:
      return fc.double({ noNaN: true });
  }
}

describe('property: unpack(pack(x)) == x', () => {
  it('holds for random formats and values', () => {
    fc.assert(
      fc.property(formatAndValues, ([fmt, values]) => {
        const packed = pack(fmt, ...values);
        expect(packed.length).toBe(calcsize(fmt));
        expect(unpack(fmt, packed)).toEqual(values);
      }),
      { numRuns: 2000 },
    );
  });

  it('holds the other way: pack(unpack(b)) == b for any bytes without NaN or padding', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('<', '>', '!', '='),
        fc.uint8Array({ minLength: 30, maxLength: 30 }),
        (order, raw) => {
          const fmt = `${order}bBhHiIqQ`;
          expect(hex(pack(fmt, ...unpack(fmt, raw)))).toBe(hex(raw));
        },
      ),
    );
  });
});
