import { endianness } from 'node:os';
import { UsageError } from '../errors.js';

/**
 * Python's `struct` module, byte for byte: `pack`, `unpack`, `unpack_from`, `iter_unpack` and
 * `calcsize` over the same format language (`@ = < > !`, counts, `x c b B ? h H i I l L q Q n N
 * e f d s p P`), native sizes and alignment for `@` as on x86_64/arm64 Linux (LP64), and
 * Python's rules for what each code accepts. 8-byte integers are BigInt, never a rounded double.
 */

/** A `struct.error` in Python; a usage error (exit 2) when it reaches the command line. */
export class StructError extends UsageError {}

export type StructValue = number | bigint | boolean | Uint8Array;
export type Endian = 'le' | 'be';

type Kind = 'pad' | 'char' | 'int' | 'bool' | 'float' | 'bytes' | 'pascal';

interface CodeInfo {
  kind: Kind;
  size: number;
  signed?: boolean;
}

const STANDARD: Record<string, CodeInfo> = {
  x: { kind: 'pad', size: 1 },
  c: { kind: 'char', size: 1 },
  b: { kind: 'int', size: 1, signed: true },
  B: { kind: 'int', size: 1, signed: false },
  '?': { kind: 'bool', size: 1 },
  h: { kind: 'int', size: 2, signed: true },
  H: { kind: 'int', size: 2, signed: false },
  i: { kind: 'int', size: 4, signed: true },
  I: { kind: 'int', size: 4, signed: false },
  l: { kind: 'int', size: 4, signed: true },
  L: { kind: 'int', size: 4, signed: false },
  q: { kind: 'int', size: 8, signed: true },
  Q: { kind: 'int', size: 8, signed: false },
  e: { kind: 'float', size: 2 },
  f: { kind: 'float', size: 4 },
  d: { kind: 'float', size: 8 },
  s: { kind: 'bytes', size: 1 },
  p: { kind: 'pascal', size: 1 },
};

// C types on LP64 Linux (x86_64, arm64): long, ssize_t, size_t and pointers are 8 bytes,
// and every numeric type is aligned to its size.
const NATIVE: Record<string, CodeInfo> = {
  ...STANDARD,
  l: { kind: 'int', size: 8, signed: true },
  L: { kind: 'int', size: 8, signed: false },
  n: { kind: 'int', size: 8, signed: true },
  N: { kind: 'int', size: 8, signed: false },
  P: { kind: 'int', size: 8, signed: false },
};

const NATIVE_LITTLE = endianness() === 'LE';

// Python's own wording for the four small integer codes; the rest use the generic form.
const INT_NAMES: Record<string, string> = { b: 'byte', B: 'ubyte', h: 'short', H: 'ushort' };

/** One run of a format: `3H` is one group with count 3; `5s` is one group holding one value. */
export interface StructGroup {
  readonly code: string;
  readonly count: number;
  readonly offset: number;
  /** Bytes of one item (`s`, `p`, `x`: 1). */
  readonly itemSize: number;
  readonly kind: Kind;
  readonly signed: boolean;
}

/** Where one value lives in the packed bytes, for displays that label each value. */
export interface StructField {
  readonly code: string;
  readonly offset: number;
  readonly size: number;
  /** The code as written for display: `H`, `5s`, `3p`. */
  readonly label: string;
}

export interface CompileOptions {
  /**
   * Byte order of a format with no order character: standard sizes, no alignment, as if `<` or
   * `>` were written. Leave it out for Python's default, which is native (`@`).
   */
  endian?: Endian;
}

/** A compiled format, like Python's `struct.Struct`. */
export class Struct {
  readonly format: string;
  readonly size: number;
  /** How many values `pack` takes and `unpack` returns. */
  readonly valueCount: number;
  readonly littleEndian: boolean;
  readonly native: boolean;
  readonly groups: readonly StructGroup[];

  constructor(format: string, options: CompileOptions = {}) {
    this.format = format;
    let i = 0;
    let order = format[0];
    if (order === '@' || order === '=' || order === '<' || order === '>' || order === '!') i = 1;
    else order = options.endian === undefined ? '@' : options.endian === 'le' ? '<' : '>';
    this.native = order === '@';
    this.littleEndian = order === '<' || ((order === '@' || order === '=') && NATIVE_LITTLE);
    const codes = this.native ? NATIVE : STANDARD;

    const groups: StructGroup[] = [];
    let size = 0;
    let values = 0;
    while (i < format.length) {
      const ch = format[i]!;
      if (/\s/.test(ch)) {
        i++;
        continue;
      }
      let count = 1;
      if (ch >= '0' && ch <= '9') {
        const start = i;
        while (i < format.length && format[i]! >= '0' && format[i]! <= '9') i++;
        count = Number(format.slice(start, i));
        if (i >= format.length) throw new StructError('repeat count given without format specifier');
        if (!Number.isSafeInteger(count)) throw new StructError('total struct size too long');
      }
      const code = format[i]!;
      const info = Object.hasOwn(codes, code) ? codes[code] : undefined;
      if (!info) throw badChar(format, i);
      i++;
      if (this.native && info.size > 1) size = Math.ceil(size / info.size) * info.size;
      groups.push({ code, count, offset: size, itemSize: info.size, kind: info.kind, signed: !!info.signed });
      size += count * info.size;
      if (!Number.isSafeInteger(size)) throw new StructError('total struct size too long');
      if (info.kind === 'bytes' || info.kind === 'pascal') values += 1;
      else if (info.kind !== 'pad') values += count;
    }
    this.size = size;
    this.valueCount = values;
    this.groups = groups;
  }

  /** Packs values into a new buffer of exactly `size` bytes. */
  pack(...values: StructValue[]): Buffer {
    if (values.length !== this.valueCount)
      throw new StructError(`pack expected ${this.valueCount} items for packing (got ${values.length})`);
    const out = allocate(this.size);
    this.write(out, 0, values);
    return out;
  }

  /** Packs into an existing buffer at an offset, like Python's `pack_into`. */
  packInto(target: Uint8Array, offset: number, ...values: StructValue[]): void {
    if (values.length !== this.valueCount)
      throw new StructError(`pack_into expected ${this.valueCount} items for packing (got ${values.length})`);
    if (offset < 0) offset += target.length;
    if (offset < 0 || offset + this.size > target.length)
      throw new StructError(
        `pack_into requires a buffer of at least ${this.size + Math.max(offset, 0)} bytes for packing ${this.size} bytes at offset ${offset} (actual buffer size is ${target.length})`,
      );
    // Validate everything before touching the caller's buffer.
    const tmp = Buffer.alloc(this.size);
    this.write(tmp, 0, values);
    target.set(tmp, offset);
  }

  /** Unpacks exactly `size` bytes. */
  unpack(bytes: Uint8Array): StructValue[] {
    if (bytes.length !== this.size) throw new StructError(`unpack requires a buffer of ${this.size} bytes`);
    return this.read(bytes, 0);
  }

  /** Unpacks `size` bytes starting at `offset`; the buffer may be longer. */
  unpackFrom(bytes: Uint8Array, offset = 0): StructValue[] {
    if (offset < 0) offset += bytes.length;
    if (offset < 0 || offset + this.size > bytes.length)
      throw new StructError(
        `unpack_from requires a buffer of at least ${this.size + Math.max(offset, 0)} bytes for unpacking ${this.size} bytes at offset ${offset} (actual buffer size is ${bytes.length})`,
      );
    return this.read(bytes, offset);
  }

  /** Unpacks consecutive records; the buffer must hold a whole number of them. */
  *iterUnpack(bytes: Uint8Array): Generator<StructValue[]> {
    if (this.size === 0) throw new StructError('cannot iteratively unpack with a struct of length 0');
    if (bytes.length % this.size !== 0)
      throw new StructError(`iterative unpacking requires a buffer of a multiple of ${this.size} bytes`);
    for (let off = 0; off < bytes.length; off += this.size) yield this.read(bytes, off);
  }

  /** Each value's code, offset and size, in order (padding is left out). */
  fields(): StructField[] {
    const out: StructField[] = [];
    for (const g of this.groups) {
      if (g.kind === 'pad') continue;
      if (g.kind === 'bytes' || g.kind === 'pascal') {
        out.push({ code: g.code, offset: g.offset, size: g.count, label: `${g.count}${g.code}` });
        continue;
      }
      for (let k = 0; k < g.count; k++)
        out.push({ code: g.code, offset: g.offset + k * g.itemSize, size: g.itemSize, label: g.code });
    }
    return out;
  }

  private write(out: Buffer, base: number, values: StructValue[]): void {
    const le = this.littleEndian;
    let v = 0;
    for (const g of this.groups) {
      const at = base + g.offset;
      switch (g.kind) {
        case 'pad':
          break;
        case 'bytes': {
          const data = bytesArg(values[v++], 's');
          out.set(data.subarray(0, g.count), at);
          break;
        }
        case 'pascal': {
          const data = bytesArg(values[v++], 'p');
          if (g.count === 0) {
            // CPython stores a length byte of 0xff even for `0p`, at the next field's offset
            // (a later field overwrites it; padding keeps it). Same bytes as Python.
            if (at < out.length) out[at] = 0xff;
            break;
          }
          const n = Math.min(data.length, g.count - 1);
          out.set(data.subarray(0, n), at + 1);
          out[at] = Math.min(n, 255);
          break;
        }
        case 'char':
          for (let k = 0; k < g.count; k++) {
            const value = values[v++];
            if (!(value instanceof Uint8Array) || value.length !== 1)
              throw new StructError('char format requires a bytes object of length 1');
            out[at + k] = value[0]!;
          }
          break;
        case 'bool':
          for (let k = 0; k < g.count; k++) out[at + k] = truthy(values[v++]) ? 1 : 0;
          break;
        case 'int':
          for (let k = 0; k < g.count; k++) writeInt(out, at + k * g.itemSize, g, values[v++], le, v);
          break;
        case 'float':
          for (let k = 0; k < g.count; k++)
            writeFloat(out, at + k * g.itemSize, g, values[v++], le, this.native);
          break;
      }
    }
  }

  private read(bytes: Uint8Array, base: number): StructValue[] {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const le = this.littleEndian;
    const out: StructValue[] = [];
    for (const g of this.groups) {
      const at = base + g.offset;
      switch (g.kind) {
        case 'pad':
          break;
        case 'bytes':
          out.push(Buffer.from(bytes.subarray(at, at + g.count)));
          break;
        case 'pascal': {
          // Python trusts the length byte only as far as the field reaches.
          const n = g.count === 0 ? 0 : Math.min(bytes[at]!, g.count - 1);
          out.push(Buffer.from(bytes.subarray(at + 1, at + 1 + n)));
          break;
        }
        case 'char':
          for (let k = 0; k < g.count; k++) out.push(Buffer.from(bytes.subarray(at + k, at + k + 1)));
          break;
        case 'bool':
          for (let k = 0; k < g.count; k++) out.push(bytes[at + k] !== 0);
          break;
        case 'int':
          for (let k = 0; k < g.count; k++)
            out.push(readInt(view, at + k * g.itemSize, g.itemSize, g.signed, le));
          break;
        case 'float':
          for (let k = 0; k < g.count; k++) out.push(readFloat(view, at + k * g.itemSize, g.itemSize, le));
          break;
      }
    }
    return out;
  }
}

/** A zeroed buffer; a size no buffer can have is a StructError (Python: MemoryError), not a crash. */
function allocate(size: number): Buffer {
  try {
    return Buffer.alloc(size);
  } catch (err) {
    if (err instanceof RangeError)
      throw new StructError(`cannot pack ${size} bytes: a buffer that large cannot be allocated`);
    throw err;
  }
}

function badChar(format: string, index: number): StructError {
  const ch = format[index]!;
  const shown = ch === "'" ? `"'"` : `'${ch}'`;
  const hint = '@=<>!'.includes(ch)
    ? ' (a byte order character may only come first)'
    : 'nNP'.includes(ch)
      ? ' (n, N and P need native mode: start the format with @)'
      : '';
  return new StructError(`bad char in struct format: ${shown} at position ${index}${hint}`);
}

function bytesArg(value: StructValue | undefined, code: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new StructError(`argument for '${code}' must be a bytes object`);
  return value;
}

/** Python's truthiness, for `?`: zero, NaN-free zero, false and empty bytes are false. */
function truthy(value: StructValue | undefined): boolean {
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

function writeInt(
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

function readInt(view: DataView, at: number, size: number, signed: boolean, le: boolean): number | bigint {
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

function writeFloat(
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

function readFloat(view: DataView, at: number, size: number, le: boolean): number {
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

const cache = new Map<string, Struct>();

/** Compiles a format once; repeated formats (a REPL's `/pack`, a script's loop) hit a cache. */
export function compile(format: string, options: CompileOptions = {}): Struct {
  const key = `${options.endian ?? ''}|${format}`;
  let s = cache.get(key);
  if (!s) {
    s = new Struct(format, options);
    if (cache.size >= 256) cache.clear();
    cache.set(key, s);
  }
  return s;
}

export function calcsize(format: string): number {
  return compile(format).size;
}

export function pack(format: string, ...values: StructValue[]): Buffer {
  return compile(format).pack(...values);
}

export function unpack(format: string, bytes: Uint8Array): StructValue[] {
  return compile(format).unpack(bytes);
}

export function unpackFrom(format: string, bytes: Uint8Array, offset = 0): StructValue[] {
  return compile(format).unpackFrom(bytes, offset);
}

export function iterUnpack(format: string, bytes: Uint8Array): Generator<StructValue[]> {
  return compile(format).iterUnpack(bytes);
}
