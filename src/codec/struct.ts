/**
 * Python's `struct` module, byte for byte: `pack`, `unpack`, `unpack_from`, `iter_unpack` and
 * `calcsize` over the same format language (`@ = < > !`, counts, `x c b B ? h H i I l L q Q n N
 * e f d s p P`), native sizes and alignment for `@` as on x86_64/arm64 Linux (LP64), and
 * Python's rules for what each code accepts. 8-byte integers are BigInt, never a rounded double.
 */

import {
  type Endian,
  NATIVE,
  NATIVE_LITTLE,
  STANDARD,
  StructError,
  type StructField,
  type StructGroup,
  type StructValue,
} from './struct-codes.js';
import type { PackArgs, Unpacked } from './struct-types.js';
import {
  allocate,
  badChar,
  bytesArg,
  readFloat,
  readInt,
  truthy,
  writeFloat,
  writeInt,
} from './struct-values.js';

export {
  type Endian,
  StructError,
  type StructField,
  type StructGroup,
  type StructValue,
} from './struct-codes.js';
export type { PackArgs, Unpacked } from './struct-types.js';
export { floatToHalfBits, halfBitsToFloat } from './struct-values.js';

export interface CompileOptions {
  /**
   * Byte order of a format with no order character: standard sizes, no alignment, as if `<` or
   * `>` were written. Leave it out for Python's default, which is native (`@`).
   */
  endian?: Endian;
}

/**
 * The most one `pack` makes, checked before any buffer exists: beyond it a typo (`4294967296x`)
 * would take gigabytes of memory rather than express a message anyone sends. `calcsize` and
 * `unpack` are not bounded (they allocate nothing the input does not already hold).
 */
export const MAX_PACKED_BYTES = 64 * 1024 * 1024;

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
    const out = allocate(this.size, MAX_PACKED_BYTES);
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
    const tmp = allocate(this.size, MAX_PACKED_BYTES);
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

/** `values` packed by `format`; a literal format checks their count and kinds (`PackArgs`). */
export function pack<F extends string>(format: F, ...values: PackArgs<F>): Buffer {
  return compile(format).pack(...(values as StructValue[]));
}

/** The values in `bytes`; a literal format gives a typed tuple (`'<HI'` → `[number, number]`). */
export function unpack<F extends string>(format: F, bytes: Uint8Array): Unpacked<F> {
  return compile(format).unpack(bytes) as Unpacked<F>;
}

export function unpackFrom<F extends string>(format: F, bytes: Uint8Array, offset = 0): Unpacked<F> {
  return compile(format).unpackFrom(bytes, offset) as Unpacked<F>;
}

export function iterUnpack<F extends string>(format: F, bytes: Uint8Array): Generator<Unpacked<F>> {
  return compile(format).iterUnpack(bytes) as Generator<Unpacked<F>>;
}
