import { UsageError } from '../errors.js';

/**
 * What a hex dump looks like: its options, and the layout of a line worked out from them once
 * (where each byte's hex digits go, how wide the hex column is). A layout depends only on the
 * columns and the group size, so it is shared by every dumper of that shape: `-x` makes a
 * dumper per chunk of traffic.
 */

/** The byte-to-hex tables of the general writer. */
export interface HexTables {
  /** The high and low hex digit of each byte value. */
  hi: Uint8Array;
  lo: Uint8Array;
  /**
   * Two digits and two spaces packed little-endian: one 32-bit store writes a byte's hex and
   * its separator; the next store overwrites whatever spaces are not wanted.
   */
  word: Uint32Array;
  upper: boolean;
}

export interface HexDumpOptions {
  /** Bytes per line (default 16). */
  columns?: number;
  /** Bytes per group of hex digits (default 1: `de ad`; 2: `dead beef`; 4: `deadbeef`). */
  group?: number;
  /** Encoding of the text column (default utf8); `false` leaves the text column out. */
  encoding?: string | false;
  /** Replace runs of identical lines with `*` (default true). */
  squeeze?: boolean;
  /** Offset shown for the first byte, e.g. where a slice starts in a file (default 0). */
  startOffset?: number;
  uppercase?: boolean;
}

export const SPACE = 0x20;
export const NEWLINE = 0x0a;
export const BAR = 0x7c;
export const DOT = 0x2e;
export const STAR = 0x2a;

function hexTables(upper: boolean): HexTables {
  const digits = Buffer.from(upper ? '0123456789ABCDEF' : '0123456789abcdef');
  const hi = new Uint8Array(256);
  const lo = new Uint8Array(256);
  const word = new Uint32Array(256);
  for (let b = 0; b < 256; b++) {
    hi[b] = digits[b >> 4]!;
    lo[b] = digits[b & 15]!;
    word[b] = hi[b]! | (lo[b]! << 8) | (SPACE << 16) | (SPACE << 24);
  }
  return { hi, lo, word, upper };
}

export const LOWER_HEX = hexTables(false);
export const UPPER_HEX = hexTables(true);

export interface Layout {
  readonly columns: number;
  readonly group: number;
  /** Spaces after each byte's hex digits: group breaks, and a wider gap in the middle. */
  readonly sepAfter: Uint8Array;
  /** 2 + sepAfter: how far the output moves per byte. */
  readonly advance: Uint8Array;
  /** Width of a full line's hex column. */
  readonly hexWidth: number;
  /** Most bytes one line can take in the output, with slack for 8-byte stores past its end. */
  readonly lineBound: number;
}

/** By `columns * 512 + group`: looked up per dumper, so no string key. */
const layouts = new Map<number, Layout>();

export function layoutFor(columns: number, group: number): Layout {
  if (!Number.isInteger(columns) || columns < 1 || columns > 256)
    throw new UsageError(`columns must be 1..256, not ${columns}`);
  if (!Number.isInteger(group) || group < 1 || group > columns)
    throw new UsageError(`group size must be 1..${columns} (the number of columns), not ${group}`);
  const key = columns * 512 + group;
  let layout = layouts.get(key);
  if (layout) return layout;
  // Like hexdump -C: an extra space halfway, when the half is a whole number of groups.
  const half = columns >= 8 && columns % 2 === 0 && (columns / 2) % group === 0 ? columns / 2 : 0;
  const sepAfter = new Uint8Array(columns);
  const advance = new Uint8Array(columns);
  let width = 0;
  for (let j = 0; j < columns; j++) {
    let s = (j + 1) % group === 0 ? 1 : 0;
    if (j + 1 === half) s++;
    if (j === columns - 1) s = 0;
    sepAfter[j] = s;
    advance[j] = 2 + s;
    width += 2 + s;
  }
  layout = {
    columns,
    group,
    sepAfter,
    advance,
    hexWidth: width,
    // offset (up to 16 digits) + 2 + hex + "  |" + text (a character's UTF-8 may overhang) + "|\n",
    // and slack for the 4-byte stores that run past the end.
    lineBound: 16 + 2 + width + 3 + columns * 4 + 8 + 2 + 8,
  };
  layouts.set(key, layout);
  return layout;
}

/** Writes the offset in 8 or more hex digits, then two spaces; returns where the spaces begin. */
export function writeOffset(
  out: Uint8Array,
  dv: DataView,
  p: number,
  offset: number,
  tables: HexTables,
): number {
  if (offset <= 0xffffffff) {
    const word = tables.word;
    dv.setUint32(p, word[offset >>> 24]!, true);
    dv.setUint32(p + 2, word[(offset >>> 16) & 0xff]!, true);
    dv.setUint32(p + 4, word[(offset >>> 8) & 0xff]!, true);
    dv.setUint32(p + 6, word[offset & 0xff]!, true);
    return p + 8;
  }
  let s = offset.toString(16);
  if (tables.upper) s = s.toUpperCase();
  for (let k = 0; k < s.length; k++) out[p++] = s.charCodeAt(k);
  out[p] = SPACE;
  out[p + 1] = SPACE;
  return p;
}
