import { describe, expect, expectTypeOf, it } from 'vitest';
import { iterUnpack, pack, type StructValue, unpack, unpackFrom } from '../../../src/index.js';

// The type assertions are checked by `tsc --noEmit` (tsconfig includes test/); the runtime
// assertions check that each inferred type is what the implementation really returns.

const kindOf = (v: StructValue) =>
  Buffer.isBuffer(v) ? 'Buffer' : typeof v === 'bigint' ? 'bigint' : typeof v;

describe('unpack with a literal format gives a typed tuple', () => {
  it('integers, floats and booleans', () => {
    const v = unpack('<HI', pack('<HI', 1, 2));
    expectTypeOf(v).toEqualTypeOf<[number, number]>();
    expect(v).toEqual([1, 2]);

    const f = unpack('>?efd', pack('>?efd', true, 1.5, 2.5, 3.5));
    expectTypeOf(f).toEqualTypeOf<[boolean, number, number, number]>();
    expect(f.map(kindOf)).toEqual(['boolean', 'number', 'number', 'number']);
  });

  it('8-byte integers are bigint', () => {
    const v = unpack('!qQ', pack('!qQ', -1n, 2n ** 63n));
    expectTypeOf(v).toEqualTypeOf<[bigint, bigint]>();
    expect(v).toEqual([-1n, 2n ** 63n]);
  });

  it('l and L are 8 bytes (bigint) with native sizes, 4 (number) with standard ones', () => {
    const native = unpack('lL', pack('lL', 1n, 2n));
    expectTypeOf(native).toEqualTypeOf<[bigint, bigint]>();
    expect(native.map(kindOf)).toEqual(['bigint', 'bigint']);
    const at = unpack('@l', pack('@l', 1n));
    expectTypeOf(at).toEqualTypeOf<[bigint]>();
    const standard = unpack('=lL', pack('=lL', 1, 2));
    expectTypeOf(standard).toEqualTypeOf<[number, number]>();
    expect(standard).toEqual([1, 2]);
    const n = unpack('nNP', pack('nNP', 1n, 2n, 3n));
    expectTypeOf(n).toEqualTypeOf<[bigint, bigint, bigint]>();
    expect(n.map(kindOf)).toEqual(['bigint', 'bigint', 'bigint']);
  });

  it('counts repeat a code; s and p give one Buffer; x gives nothing; c one Buffer each', () => {
    const v = unpack('>3B4s2x2c5p', Buffer.alloc(3 + 4 + 2 + 2 + 5));
    expectTypeOf(v).toEqualTypeOf<[number, number, number, Buffer, Buffer, Buffer, Buffer]>();
    expect(v.map(kindOf)).toEqual(['number', 'number', 'number', 'Buffer', 'Buffer', 'Buffer', 'Buffer']);
    const twelve = unpack('<12B', Buffer.alloc(12));
    expectTypeOf(twelve).toEqualTypeOf<[...Repeat12<number>]>();
    expect(twelve).toHaveLength(12);
    const none = unpack('<0H', Buffer.alloc(0));
    expectTypeOf(none).toEqualTypeOf<[]>();
    expect(none).toEqual([]);
  });

  it('whitespace between codes is ignored, as at run time', () => {
    const v = unpack('< H  I', pack('<HI', 7, 8));
    expectTypeOf(v).toEqualTypeOf<[number, number]>();
    expect(v).toEqual([7, 8]);
  });

  it('unpackFrom and iterUnpack are typed the same way', () => {
    const bytes = pack('>HH', 1, 2);
    const from = unpackFrom('>H', bytes, 2);
    expectTypeOf(from).toEqualTypeOf<[number]>();
    expect(from).toEqual([2]);
    const all = [...iterUnpack('>H', bytes)];
    expectTypeOf(all).toEqualTypeOf<[number][]>();
    expect(all).toEqual([[1], [2]]);
  });
});

describe('unpack falls back to StructValue[] when the format cannot be followed', () => {
  it('a string that is not a literal', () => {
    const format: string = '<HI';
    const v = unpack(format, pack('<HI', 1, 2));
    expectTypeOf(v).toEqualTypeOf<StructValue[]>();
    expect(v).toEqual([1, 2]);
  });

  it('counts above 99, and codes that do not exist in the chosen size mode', () => {
    expectTypeOf(unpack('<100B', Buffer.alloc(100))).toEqualTypeOf<StructValue[]>();
    expect(() => unpack('<n', Buffer.alloc(8))).toThrow(/bad char in struct format/);
    expectTypeOf<ReturnType<typeof unpack<'<n'>>>().toEqualTypeOf<StructValue[]>();
    expectTypeOf<ReturnType<typeof unpack<'<Z'>>>().toEqualTypeOf<StructValue[]>();
    expectTypeOf<ReturnType<typeof unpack<'<3'>>>().toEqualTypeOf<StructValue[]>();
  });
});

type Repeat12<T> = [T, T, T, T, T, T, T, T, T, T, T, T];

describe('pack with a literal format checks its arguments', () => {
  it('takes one argument per value, of the kinds its code accepts', () => {
    expectTypeOf(pack<'<HI'>).parameters.toEqualTypeOf<
      ['<HI', number | bigint | boolean, number | bigint | boolean]
    >();
    expectTypeOf(pack<'4sc'>).parameters.toEqualTypeOf<['4sc', Uint8Array, Uint8Array]>();
    expectTypeOf(pack<'?'>).parameters.toEqualTypeOf<['?', StructValue]>();
    expectTypeOf(pack<'2x'>).parameters.toEqualTypeOf<['2x']>();
    // What the types allow, the runtime packs: booleans and bigints for integers and floats.
    expect([...pack('<Bqd', true, 5, 2n)]).toEqual([...pack('<Bqd', 1, 5n, 2)]);
  });

  it('refuses a wrong count or kind at compile time', () => {
    // @ts-expect-error one value too many
    expect(() => pack('<H', 1, 2)).toThrow(/expected 1 items/);
    // @ts-expect-error bytes for an integer
    expect(() => pack('<H', Buffer.from('a'))).toThrow(/not an integer/);
    // @ts-expect-error a number for bytes
    expect(() => pack('3s', 7)).toThrow(/bytes object/);
  });

  it('takes StructValue[] when the format is not a literal or cannot be followed', () => {
    const format: string = '<HI';
    expectTypeOf(pack<typeof format>).parameters.toEqualTypeOf<[string, ...StructValue[]]>();
    expectTypeOf(pack<'200B'>).parameters.toEqualTypeOf<['200B', ...StructValue[]]>();
    const values: StructValue[] = [1, 2];
    expect(pack(format, ...values)).toEqual(pack('<HI', 1, 2));
  });
});
