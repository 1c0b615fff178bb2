import { UsageError } from '../errors.js';
import type { Endian } from './struct.js';
import { floatToHalfBits, halfBitsToFloat } from './struct.js';

/**
 * The data inspector: what the bytes at an offset mean as every common type. Rows are data, as
 * in ImHex, so plugins add their own (a varint flavour, a protocol's timestamp) next to these.
 */

export type { Endian };

export interface InspectorRow {
  readonly name: string;
  /** Bytes the row needs; for variable-length rows (LEB128), the fewest it can take. */
  readonly size: number;
  /** Whether byte order changes the value, so both orders are shown. */
  readonly endianSensitive?: boolean;
  /**
   * Decodes `bytes`, which start at the inspected offset and hold at least `size` bytes (often
   * more, up to the end of the message). Returns the value as display text.
   */
  decode(bytes: Uint8Array, endian: Endian): string;
}

/** One row's result at one offset. */
export interface Inspection {
  name: string;
  size: number;
  /** False when fewer than `size` bytes are left; `value` then says so. */
  fits: boolean;
  /** The value in the requested byte order (or the only value). */
  value: string;
  /** Both orders, for byte-order-sensitive rows that fit. */
  le?: string;
  be?: string;
}

/** Identity helper with types, for plugins: `decoders: [defineInspectorRow({...})]`. */
export function defineInspectorRow(row: InspectorRow): InspectorRow {
  return row;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Shortest decimal that reads back as the same float of the given width (as ImHex shows). */
export function formatFloat(x: number, bits: 16 | 32 | 64): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (Object.is(x, -0)) return '-0';
  if (bits === 64) return String(x);
  const same = bits === 32 ? (y: number) => Math.fround(y) === x : (y: number) => roundHalf(y) === x;
  for (let p = 1; p < 17; p++) {
    const y = Number(x.toPrecision(p));
    if (same(y)) return String(y);
  }
  return String(x);
}

/** Rounds to the nearest binary16 value (ties to even), for the shortest-repr search. */
function roundHalf(y: number): number {
  try {
    return halfBitsToFloat(floatToHalfBits(y));
  } catch {
    return y > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }
}

function isoSeconds(seconds: bigint): string {
  // Date covers ±8.64e15 ms; beyond that a timestamp is not one.
  if (seconds > 8_640_000_000_000n || seconds < -8_640_000_000_000n) return 'out of range for a date';
  return new Date(Number(seconds) * 1000).toISOString().replace('.000Z', 'Z');
}

function leb128(bytes: Uint8Array, signed: boolean): string {
  let result = 0n;
  let shift = 0n;
  for (let i = 0; i < bytes.length && i < 20; i++) {
    const b = bytes[i]!;
    result |= BigInt(b & 0x7f) << shift;
    shift += 7n;
    if ((b & 0x80) === 0) {
      if (signed && b & 0x40) result -= 1n << shift;
      return `${result} (${i + 1} byte${i === 0 ? '' : 's'})`;
    }
  }
  return bytes.length >= 20
    ? 'no end in 20 bytes (not LEB128)'
    : `unterminated: every one of the ${bytes.length} bytes left has the continuation bit`;
}

function char(cp: number): string {
  if (cp === 0x0a) return "'\\n'";
  if (cp === 0x0d) return "'\\r'";
  if (cp === 0x09) return "'\\t'";
  if (cp === 0) return "'\\0'";
  if (cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp < 0xa0)) return '';
  if (/[\p{C}\p{Zl}\p{Zp}\p{M}]/u.test(String.fromCodePoint(cp))) return '';
  return `'${String.fromCodePoint(cp)}'`;
}

function utf8At(bytes: Uint8Array): string {
  const b0 = bytes[0]!;
  if (b0 < 0x80) return `U+${hex4(b0)} ${char(b0)}`.trimEnd();
  const need = b0 >= 0xc2 && b0 <= 0xdf ? 2 : b0 >= 0xe0 && b0 <= 0xef ? 3 : b0 >= 0xf0 && b0 <= 0xf4 ? 4 : 0;
  if (need === 0)
    return `invalid: 0x${b0.toString(16)} ${b0 >= 0x80 && b0 < 0xc0 ? 'is a continuation byte' : 'never starts a character'}`;
  if (bytes.length < need) return `truncated: needs ${need} bytes, ${bytes.length} left`;
  let cp = b0 & (0xff >> (need + 1));
  for (let k = 1; k < need; k++) {
    const b = bytes[k]!;
    if ((b & 0xc0) !== 0x80)
      return `invalid: byte ${k + 1} (0x${b.toString(16).padStart(2, '0')}) is not a continuation`;
    cp = (cp << 6) | (b & 0x3f);
  }
  const min = need === 2 ? 0x80 : need === 3 ? 0x800 : 0x10000;
  if (cp < min) return 'invalid: overlong encoding';
  if (cp >= 0xd800 && cp <= 0xdfff) return 'invalid: a surrogate';
  if (cp > 0x10ffff) return 'invalid: beyond U+10FFFF';
  return `U+${hex4(cp)} ${char(cp)} (${need} bytes)`.replace('  ', ' ');
}

function hex4(cp: number): string {
  return cp.toString(16).toUpperCase().padStart(4, '0');
}

function intRow(bits: 8 | 16 | 32 | 64, signed: boolean): InspectorRow {
  const size = bits / 8;
  return {
    name: `${signed ? '' : 'u'}int${bits}`,
    size,
    endianSensitive: size > 1,
    decode(bytes, endian) {
      const v = view(bytes);
      const le = endian === 'le';
      switch (bits) {
        case 8:
          return String(signed ? v.getInt8(0) : v.getUint8(0));
        case 16:
          return String(signed ? v.getInt16(0, le) : v.getUint16(0, le));
        case 32:
          return String(signed ? v.getInt32(0, le) : v.getUint32(0, le));
        default:
          return String(signed ? v.getBigInt64(0, le) : v.getBigUint64(0, le));
      }
    },
  };
}

/** The built-in rows, in display order. */
export const BUILTIN_INSPECTOR_ROWS: readonly InspectorRow[] = [
  intRow(8, true),
  intRow(8, false),
  intRow(16, true),
  intRow(16, false),
  intRow(32, true),
  intRow(32, false),
  intRow(64, true),
  intRow(64, false),
  {
    name: 'float16',
    size: 2,
    endianSensitive: true,
    decode: (b, e) => formatFloat(halfBitsToFloat(view(b).getUint16(0, e === 'le')), 16),
  },
  {
    name: 'float32',
    size: 4,
    endianSensitive: true,
    decode: (b, e) => formatFloat(view(b).getFloat32(0, e === 'le'), 32),
  },
  {
    name: 'float64',
    size: 8,
    endianSensitive: true,
    decode: (b, e) => formatFloat(view(b).getFloat64(0, e === 'le'), 64),
  },
  { name: 'uleb128', size: 1, decode: (b) => leb128(b, false) },
  { name: 'sleb128', size: 1, decode: (b) => leb128(b, true) },
  {
    name: 'bool',
    size: 1,
    decode: (b) =>
      b[0] === 0 ? 'false' : b[0] === 1 ? 'true' : `true (0x${b[0]!.toString(16).padStart(2, '0')})`,
  },
  {
    name: 'ascii',
    size: 1,
    decode: (b) =>
      b[0]! >= 0x80
        ? `not ASCII (0x${b[0]!.toString(16)})`
        : char(b[0]!) || `control 0x${b[0]!.toString(16).padStart(2, '0')}`,
  },
  { name: 'utf8', size: 1, decode: (b) => utf8At(b) },
  {
    name: 'time32',
    size: 4,
    endianSensitive: true,
    decode: (b, e) => isoSeconds(BigInt(view(b).getInt32(0, e === 'le'))),
  },
  {
    name: 'time64',
    size: 8,
    endianSensitive: true,
    decode: (b, e) => isoSeconds(view(b).getBigInt64(0, e === 'le')),
  },
  { name: 'binary', size: 1, decode: (b) => `0b${b[0]!.toString(2).padStart(8, '0')}` },
];

export interface InspectOptions {
  /** Byte order for `value` (default big, network order). */
  endian?: Endian;
  /** Rows to show (default the built-in ones; plugins append theirs). */
  rows?: readonly InspectorRow[];
}

/**
 * Decodes the bytes at `offset` with every row. A negative offset counts from the end, as in
 * Python. Rows that need more bytes than are left say so instead of disappearing; a row that
 * throws (a plugin's bug) shows its error instead of taking the others down.
 */
export function inspect(bytes: Uint8Array, offset: number, options: InspectOptions = {}): Inspection[] {
  const at = resolveOffset(offset, bytes.length);
  const endian = options.endian ?? 'be';
  const rest = bytes.subarray(at);
  return (options.rows ?? BUILTIN_INSPECTOR_ROWS).map((row) => {
    if (rest.length < row.size) {
      const left = rest.length === 1 ? '1 byte left' : `${rest.length} bytes left`;
      return { name: row.name, size: row.size, fits: false, value: `needs ${row.size} bytes, ${left}` };
    }
    const run = (e: Endian) => {
      try {
        return row.decode(rest, e);
      } catch (err) {
        return `error: ${err instanceof Error ? err.message : String(err)}`;
      }
    };
    if (!row.endianSensitive) return { name: row.name, size: row.size, fits: true, value: run(endian) };
    const le = run('le');
    const be = run('be');
    return { name: row.name, size: row.size, fits: true, value: endian === 'le' ? le : be, le, be };
  });
}

/** An offset into a message, negative from the end; past the end is a usage error. */
export function resolveOffset(offset: number, length: number): number {
  const at = offset < 0 ? length + offset : offset;
  if (!Number.isInteger(offset) || at < 0 || at > length)
    throw new UsageError(`offset ${offset} is outside the ${length} byte${length === 1 ? '' : 's'} given`);
  return at;
}
