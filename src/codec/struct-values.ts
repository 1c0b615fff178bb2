import { INT_NAMES, StructError, type StructGroup, type StructValue } from './struct-codes.js';

/** Reading and writing one value of a struct format: Python's argument rules, ints, floats, halves. */

/** A zeroed buffer; a size no buffer can have is a StructError (Python: MemoryError), not a crash. */
export function allocate(size: number, max: number): Buffer {
  if (size > max)
    throw new StructError(`cannot pack ${size} bytes: one pack makes at most ${max / 1024 / 1024} MiB`);
  try {
    return Buffer.alloc(size);
  } catch (err) {
    if (err instanceof RangeError)
      throw new StructError(`cannot pack ${size} bytes: a buffer that large cannot be allocated`);
    throw err;
  }
}

export function badChar(format: string, index: number): StructError {
  const ch = format[index]!;
  const shown = ch === "'" ? `"'"` : `'${ch}'`;
  const hint = '@=<>!'.includes(ch)
    ? ' (a byte order character may only come first)'
    : 'nNP'.includes(ch)
      ? ' (n, N and P need native mode: start the format with @)'
      : '';
  return new StructError(`bad char in struct format: ${shown} at position ${index}${hint}`);
}

export function bytesArg(value: StructValue | undefined, code: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new StructError(`argument for '${code}' must be a bytes object`);
  return value;
}

/** Python's truthiness, for `?`: zero, NaN-free zero, false and empty bytes are false. */
export function truthy(value: StructValue | undefined): boolean {
  if (value instanceof Uint8Array) return value.length > 0;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'bigint') return value !== 0n;
  return !!value;
}

function intArg(value: StructValue | undefined): bigint | number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  throw new StructError('required argument is not an integer');
}

function intRange(size: number, signed: boolean): [bigint, bigint] {
  const bits = BigInt(size * 8);
  return signed ? [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n] : [0n, (1n << bits) - 1n];
}

export function writeInt(
  out: Buffer,
  at: number,
  g: StructGroup,
  value: StructValue | undefined,
  le: boolean,
  n: number,
) {
  const x = intArg(value);
  if (typeof x === 'number' && g.itemSize <= 4) {
    // The common case stays in doubles: every 1..4-byte range is exact there.
    const lo = g.signed ? -(2 ** (g.itemSize * 8 - 1)) : 0;
    const hi = g.signed ? 2 ** (g.itemSize * 8 - 1) - 1 : 2 ** (g.itemSize * 8) - 1;
    if (x >= lo && x <= hi) {
      writeSmall(out, at, g.itemSize, x, le);
      return;
    }
  }
  // `P` takes a pointer: Python accepts negative ones and stores them in two's complement.
  const [min, max] = g.code === 'P' ? [-(1n << 63n), (1n << 64n) - 1n] : intRange(g.itemSize, g.signed);
  const big = typeof x === 'bigint' ? x : BigInt(x);
  if (big < min || big > max) {
    const what = INT_NAMES[g.code] ? `${INT_NAMES[g.code]} format` : `'${g.code}' format`;
    throw new StructError(`${what} requires ${min} <= number <= ${max} (argument ${n} is ${big})`);
  }
  if (g.itemSize <= 4) {
    writeSmall(out, at, g.itemSize, Number(big), le);
    return;
  }
  const u = BigInt.asUintN(64, big);
  if (le) out.writeBigUInt64LE(u, at);
  else out.writeBigUInt64BE(u, at);
}

/** Writes an in-range 1, 2 or 4-byte integer in two's complement. */
function writeSmall(out: Buffer, at: number, size: number, x: number, le: boolean): void {
  if (size === 1) out[at] = x & 0xff;
  else if (size === 2) {
    if (le) out.writeUInt16LE(x & 0xffff, at);
    else out.writeUInt16BE(x & 0xffff, at);
  } else if (le) out.writeUInt32LE(x >>> 0, at);
  else out.writeUInt32BE(x >>> 0, at);
}

export function readInt(
  view: DataView,
  at: number,
  size: number,
  signed: boolean,
  le: boolean,
): number | bigint {
  switch (size) {
    case 1:
      return signed ? view.getInt8(at) : view.getUint8(at);
    case 2:
      return signed ? view.getInt16(at, le) : view.getUint16(at, le);
    case 4:
      return signed ? view.getInt32(at, le) : view.getUint32(at, le);
    default:
      return signed ? view.getBigInt64(at, le) : view.getBigUint64(at, le);
  }
}

function floatArg(value: StructValue | undefined): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'bigint') {
    const x = Number(value);
    if (!Number.isFinite(x)) throw new StructError('int too large to convert to float');
    return x;
  }
  throw new StructError('required argument is not a float');
}

export function writeFloat(
  out: Buffer,
  at: number,
  g: StructGroup,
  value: StructValue | undefined,
  le: boolean,
  native: boolean,
) {
  const x = floatArg(value);
  switch (g.itemSize) {
    case 2: {
      const bits = floatToHalfBits(x);
      if (le) out.writeUInt16LE(bits, at);
      else out.writeUInt16BE(bits, at);
      return;
    }
    case 4:
      // Python checks for overflow in standard mode only; native `f` is a plain C cast.
      if (!native && Number.isFinite(x) && !Number.isFinite(Math.fround(x)))
        throw new StructError('float too large to pack with f format');
      if (le) out.writeFloatLE(x, at);
      else out.writeFloatBE(x, at);
      return;
    default:
      if (le) out.writeDoubleLE(x, at);
      else out.writeDoubleBE(x, at);
  }
}

export function readFloat(view: DataView, at: number, size: number, le: boolean): number {
  if (size === 2) return halfBitsToFloat(view.getUint16(at, le));
  return size === 4 ? view.getFloat32(at, le) : view.getFloat64(at, le);
}

/**
 * IEEE 754 binary16 from a double, rounding half to even, exactly as CPython's
 * `PyFloat_Pack2`: too large for a half (after rounding) is an error, too small becomes zero.
 */
export function floatToHalfBits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a === Number.POSITIVE_INFINITY) return sign | 0x7c00;
  if (a === 0) return sign;
  if (a >= 65536) throw new StructError('float too large to pack with e format');
  let e = Math.floor(Math.log2(a));
  // log2 can be off by one next to a power of two; fix it with exact comparisons.
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  let f = a / 2 ** e; // 1 <= f < 2, exact
  if (e < -25) {
    f = 0;
    e = 0;
  } else if (e < -14) {
    f = f * 2 ** (14 + e);
    e = 0;
  } else {
    e += 15;
    f -= 1;
  }
  f *= 1024;
  let bits = Math.floor(f);
  const rest = f - bits;
  if (rest > 0.5 || (rest === 0.5 && bits % 2 === 1)) {
    bits++;
    if (bits === 1024) {
      bits = 0;
      e++;
      if (e === 31) throw new StructError('float too large to pack with e format');
    }
  }
  return sign | (e << 10) | bits;
}

export function halfBitsToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const m = bits & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 31) return m ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}
