import type { Positional } from '../../src/plugin/types.js';

/**
 * What the built-in framers share: the size limit, the length-field rows, and reading an
 * unsigned length field in either byte order.
 */

export const DEFAULT_MAX = 16 * 1024 * 1024;

/** Every framer refuses a message over this many bytes instead of buffering without bound. */
export const maxRow = {
  key: 'max',
  kind: 'size',
  default: DEFAULT_MAX,
  min: 1,
  max: 2 * 1024 ** 3,
  summary: 'longest message accepted; a longer one is an error on the connection',
} as const;

export const WIDTHS = { u8: 1, u16: 2, u32: 4, u64: 8 } as const;
export type Width = (typeof WIDTHS)[keyof typeof WIDTHS];
export type Endian = 'le' | 'be';

export const widthRow = {
  key: 'width',
  kind: 'enum',
  values: WIDTHS,
  default: 4,
  summary: 'size of the length field',
} as const;

export const endianRow = {
  key: 'endian',
  kind: 'enum',
  values: ['le', 'be'],
  default: 'be',
  summary: 'byte order of the length field; be is network order',
} as const;

/** `u32be`, `u16le`, `u8` → the `width` and `endian` rows. */
export const lengthFieldPositional: Positional = {
  hint: '<u8|u16|u32|u64>[le|be]',
  summary: 'the length field: its size, then its byte order',
  expand(text) {
    const m = /^(u8|u16|u32|u64)(le|be)?$/i.exec(text.trim());
    if (!m) return undefined;
    const pieces: Record<string, string> = { width: m[1]! };
    if (m[2]) pieces.endian = m[2];
    return pieces;
  },
};

/**
 * The unsigned integer in the first `width` bytes. Plain arithmetic, no DataView, as this runs
 * once per frame. u64 values beyond 2^53 lose precision, but then they only ever exceed the limit.
 */
export function readUint(bytes: Uint8Array, width: Width, endian: Endian): number {
  let value = 0;
  if (endian === 'be') for (let i = 0; i < width; i++) value = value * 256 + bytes[i]!;
  else for (let i = width - 1; i >= 0; i--) value = value * 256 + bytes[i]!;
  return value;
}

/** Writes `value` (a safe integer that fits) as an unsigned field. */
export function writeUint(out: Uint8Array, value: number, width: Width, endian: Endian): void {
  const view = new DataView(out.buffer, out.byteOffset, width);
  const le = endian === 'le';
  switch (width) {
    case 1:
      view.setUint8(0, value);
      break;
    case 2:
      view.setUint16(0, value, le);
      break;
    case 4:
      view.setUint32(0, value, le);
      break;
    case 8:
      view.setBigUint64(0, BigInt(value), le);
      break;
  }
}

/** Largest value a field of `width` bytes holds, capped at the largest safe integer. */
export function fieldMax(width: Width): number {
  return width === 8 ? Number.MAX_SAFE_INTEGER : 2 ** (8 * width) - 1;
}

export { formatSize } from '../../src/plugin/spec.js';
