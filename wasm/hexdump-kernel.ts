// The hex dump's line writer in WebAssembly (AssemblyScript; `npm run build:wasm` compiles it
// into src/codec/hexdump-kernel-wasm.ts). It writes runs of full lines exactly as the general
// writer in JavaScript does (src/codec/hexdump-lines.ts, hexdump-text.ts): offset, hex column,
// and a text column with no encoding, a single-byte encoding's table, or UTF-8. JavaScript owns
// everything else: squeezed lines, the last lines of a dump, the other encodings.
//
// In JavaScript every typed-array access of this loop costs a map check, a bounds check and
// reloads of the array's base (about 1 ns a store): in memory it wrote about 250 MB/s of input,
// this 500-750 MB/s on the same VM.
//
// Memory (shared with src/codec/hexdump-kernel.ts, which fills the tables):
const HEX_LOWER: usize = 0x10000; // 256 x u32: a byte's two hex digits and two spaces
const HEX_UPPER: usize = 0x10400;
const SEP: usize = 0x10800; // 256 bytes: spaces after each column's hex digits
const TWORD: usize = 0x10900; // 256 x u32: a single-byte encoding's glyph as UTF-8
const TLEN: usize = 0x10d00; // 256 bytes: how many bytes of it
const RESULT: usize = 0x10e00; // 4 x i32: where a run stopped, and the text column's state
const CELLS: usize = 0x20000; // 65536 x u32: the UTF-8 cell table (hexdump-kernel.ts)
const WIDTH: usize = 0x60000; // 0x110000 bytes: a code point's columns + 1; 0 = not yet known

// The cell table's entries: output bytes 0-23, how many (bits 24-25), how many of them are the
// first cell's (26-27), the second cell is a blank (28), a two-byte character (30), a lead byte
// of three or four bytes with a valid second byte (31).
const BLANK: u32 = 1 << 28;
const TWO: u32 = 1 << 30;

const SPACE: u8 = 0x20;
const DOT: u8 = 0x2e;
const BAR: u8 = 0x7c;
const NEWLINE: u8 = 0x0a;

/** glyphWidth (src/codec/glyphs.ts): 0 (shown as dots), 1 or 2 columns. */
@external('env', 'width')
declare function jsWidth(cp: i32): i32;

// The text column's state between lines (as TextColumn.pendingCells/pendingFill), and the
// columns of the character decodeUtf8 found.
let pending: i32 = 0;
let fill: i32 = DOT;
let charWidth: i32 = 0;

function width(cp: i32): i32 {
  let v = <i32>load<u8>(WIDTH + <usize>cp);
  if (v == 0) {
    v = jsWidth(cp) + 1;
    store<u8>(WIDTH + <usize>cp, <u8>v);
  }
  return v - 1;
}

/** GlyphDecoder.decodeUtf8: n > 0 printable bytes (sets charWidth), -n dots. */
function decodeUtf8(at: usize, end: usize): i32 {
  const b0 = <i32>load<u8>(at);
  if (b0 < 0x80) {
    charWidth = 1;
    return b0 >= 0x20 && b0 < 0x7f ? 1 : -1;
  }
  if (b0 < 0xc2) return -1;
  let need = 4;
  let lo = 0x80;
  let hi = 0xbf;
  if (b0 < 0xe0) need = 2;
  else if (b0 < 0xf0) {
    need = 3;
    if (b0 == 0xe0) lo = 0xa0;
    else if (b0 == 0xed) hi = 0x9f;
  } else if (b0 < 0xf5) {
    if (b0 == 0xf0) lo = 0x90;
    else if (b0 == 0xf4) hi = 0x8f;
  } else return -1;
  if (at + <usize>need > end) return -1;
  const b1 = <i32>load<u8>(at, 1);
  if (b1 < lo || b1 > hi) return -1;
  let cp: i32;
  if (need == 2) cp = ((b0 & 0x1f) << 6) | (b1 & 0x3f);
  else {
    const b2 = <i32>load<u8>(at, 2);
    if ((b2 & 0xc0) != 0x80) return -1;
    if (need == 3) cp = ((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f);
    else {
      const b3 = <i32>load<u8>(at, 3);
      if ((b3 & 0xc0) != 0x80) return -1;
      cp = ((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f);
    }
  }
  const w = width(cp);
  if (w == 0) return -need;
  charWidth = w;
  return need;
}

/** TextColumn.writeText for UTF-8, cell by cell: the `k` cells at `line`, bytes up to `end`. */
function utf8Cells(line: usize, k: i32, end: usize, pt: usize): usize {
  let j = 0;
  while (pending > 0 && j < k) {
    store<u8>(pt++, <u8>fill);
    pending--;
    j++;
  }
  while (j < k) {
    const at = line + <usize>j;
    const b = <i32>load<u8>(at);
    if (b < 0x80) {
      store<u8>(pt++, <u8>(b >= 0x20 && b < 0x7f ? b : DOT));
      j++;
      continue;
    }
    const r = decodeUtf8(at, end);
    const cells = r > 0 ? r : -r;
    const inLine = min(cells, k - j);
    if (r > 0) {
      for (let m = 0; m < r; m++) store<u8>(pt++, load<u8>(at + <usize>m));
      for (let m = charWidth; m < inLine; m++) store<u8>(pt++, SPACE);
      fill = SPACE;
    } else {
      for (let m = 0; m < inLine; m++) store<u8>(pt++, DOT);
      fill = DOT;
    }
    pending = cells - inLine;
    j += inLine;
  }
  return pt;
}

/** 1 for a continuation byte (10xxxxxx). */
// @ts-ignore: decorator
@inline
function cont(b: u32): u32 {
  return ((b >> 7) & ~(b >> 6)) & 1;
}

/** The cell table's entry for the cell at `at` (and the byte after it). */
// @ts-ignore: decorator
@inline
function entry(at: usize): u32 {
  return load<u32>(CELLS + ((<usize>load<u16>(at)) << 2));
}

const HIGH: u64 = 0x8080808080808080;

/**
 * Whether a three- or four-byte character may begin in the line: a byte of 111xxxxx followed
 * by two continuation bytes (bytes past the line count too, so this can say yes for nothing).
 */
function mayHaveLong(line: usize, k: i32): bool {
  let found: u64 = 0;
  for (let j = 0; j < k; j += 8) {
    const at = line + <usize>j;
    const x = load<u64>(at);
    const y = load<u64>(at, 1);
    const z = load<u64>(at, 2);
    found |= x & (x << 1) & (x << 2) & y & ~(y << 1) & z & ~(z << 1);
  }
  return (found & HIGH) != 0;
}

/**
 * One character (or dots) that starts at `at`, `room` cells before the line ends, as
 * utf8Cells writes it; returns the cells it takes on this line.
 */
function utf8Char(at: usize, room: i32, end: usize): i32 {
  const r = decodeUtf8(at, end);
  const cells = r > 0 ? r : -r;
  const inLine = min(cells, room);
  let pt = cursor;
  if (r > 0) {
    for (let m = 0; m < r; m++) store<u8>(pt++, load<u8>(at + <usize>m));
    for (let m = charWidth; m < inLine; m++) store<u8>(pt++, SPACE);
    fill = SPACE;
  } else {
    for (let m = 0; m < inLine; m++) store<u8>(pt++, DOT);
    fill = DOT;
  }
  pending = cells - inLine;
  cursor = pt;
  return inLine;
}

/** Where utf8Char writes. */
let cursor: usize = 0;

const TOP2 = i8x16.splat(<i8>0xc0);
const CONT = i8x16.splat(<i8>0x80);
const LONG_FIRST = i8x16.splat(<i8>0xe0);
const LONG_LAST = i8x16.splat(<i8>0xf4);

/** mayHaveLong for 16 columns, with SIMD, and only for bytes that can begin one (e0-f4). */
function mayHaveLong16(line: usize): bool {
  const x = v128.load(line);
  const lead = v128.and(i8x16.ge_u(x, LONG_FIRST), i8x16.le_u(x, LONG_LAST));
  const second = i8x16.eq(v128.and(v128.load(line, 1), TOP2), CONT);
  const third = i8x16.eq(v128.and(v128.load(line, 2), TOP2), CONT);
  return v128.any_true(v128.and(lead, v128.and(second, third)));
}

/**
 * A line where a three- or four-byte character may begin: as utf8Line, but each cell checks
 * for one (its third byte is a continuation byte too), which utf8Char decodes; the table takes
 * over again after it.
 */
function utf8LineLong(line: usize, k: i32, end: usize, pt: usize): usize {
  // The first cell, when its byte continues a character of the line before (or none).
  store<u8>(pt, <u8>(pending != 0 ? fill : DOT));
  pt += <usize>cont(load<u8>(line));
  pending = 0;
  let e: u32 = 0;
  let j = 0;
  while (j < k) {
    const at = line + <usize>j;
    e = load<u32>(CELLS + ((<usize>load<u16>(at)) << 2));
    // The byte two after the line's last cell may lie past the end: then it continues nothing.
    const third = j + 1 < k || at + 2 < end ? <u32>load<u8>(at, 2) : 0;
    if ((e & (cont(third) << 31)) != 0) {
      cursor = pt;
      j += utf8Char(at, k - j, end);
      pt = cursor;
      if (j < k) {
        // As at the start of a line: a continuation byte here is a dot of its own.
        store<u8>(pt, DOT);
        pt += <usize>cont(load<u8>(line + <usize>j));
      }
      e = 0;
      continue;
    }
    store<u32>(pt, e);
    pt += j + 1 < k ? (e >> 24) & 3 : (e >> 26) & 3;
    j++;
  }
  if ((e & TWO) != 0) {
    pending = 1;
    fill = (e & BLANK) != 0 ? SPACE : DOT;
  }
  return pt;
}

/**
 * The UTF-8 text of a full line, by the cell table: two bytes decide each cell, one lookup, one
 * store and one add apiece.
 */
function utf8Line(line: usize, k: i32, end: usize, pt: usize): usize {
  if (pending > 1) return utf8Cells(line, k, end, pt);
  if (k == 16 ? mayHaveLong16(line) : mayHaveLong(line, k)) return utf8LineLong(line, k, end, pt);
  // The first cell, when its byte continues a character of the line before (or none).
  store<u8>(pt, <u8>(pending != 0 ? fill : DOT));
  pt += <usize>cont(load<u8>(line));
  const last = line + <usize>(k - 1);
  let at = line;
  let e: u32;
  for (; at + 4 <= last; at += 4) {
    e = entry(at);
    store<u32>(pt, e);
    pt += (e >> 24) & 3;
    e = entry(at + 1);
    store<u32>(pt, e);
    pt += (e >> 24) & 3;
    e = entry(at + 2);
    store<u32>(pt, e);
    pt += (e >> 24) & 3;
    e = entry(at + 3);
    store<u32>(pt, e);
    pt += (e >> 24) & 3;
  }
  for (; at < last; at++) {
    e = entry(at);
    store<u32>(pt, e);
    pt += (e >> 24) & 3;
  }
  // The last cell writes only its own part; the next line's first cell is the rest.
  e = entry(at);
  store<u32>(pt, e);
  pt += (e >> 26) & 3;
  pending = (e >> 30) & 1;
  if (pending != 0) fill = (e & BLANK) != 0 ? SPACE : DOT;
  return pt;
}

/** Whether the `k` bytes at `a` and `b` are equal. */
function same(a: usize, b: usize, k: i32): bool {
  let j = 0;
  for (; j + 8 <= k; j += 8) if (load<u64>(a + <usize>j) != load<u64>(b + <usize>j)) return false;
  for (; j < k; j++) if (load<u8>(a + <usize>j) != load<u8>(b + <usize>j)) return false;
  return true;
}

// The hex column of the default layout (16 columns, groups of 1), with SIMD: the high and low
// digits of all 16 bytes at once, then four shuffles into place with the spaces between, and
// the "  |" (or the newline) after. The last store runs 13 bytes on, into what the text column
// overwrites.
const DIGITS_LOWER = i8x16(0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66);
const DIGITS_UPPER = i8x16(0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46);
const SPACES = i8x16.splat(0x20);
const NIBBLE = i8x16.splat(0x0f);
const MASK0 = i8x16(-1, -1, 0, -1, -1, 0, -1, -1, 0, -1, -1, 0, -1, -1, 0, -1);
const MASK1 = i8x16(-1, 0, -1, -1, 0, -1, -1, 0, 0, -1, -1, 0, -1, -1, 0, -1);
const MASK2 = i8x16(-1, 0, -1, -1, 0, -1, -1, 0, -1, -1, 0, -1, -1, 0, -1, -1);
const AFTER_TEXT = i8x16(0x20, 0x20, 0x7c, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20);
const AFTER_HEX = i8x16(0x0a, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20);

// @ts-ignore: decorator
@inline
function hex16(line: usize, h: usize, digits: v128, after: v128): void {
  const x = v128.load(line);
  const hi = i8x16.swizzle(digits, v128.and(i8x16.shr_u(x, 4), NIBBLE));
  const lo = i8x16.swizzle(digits, v128.and(x, NIBBLE));
  v128.store(h, v128.bitselect(i8x16.shuffle(hi, lo, 0, 16, 0, 1, 17, 0, 2, 18, 0, 3, 19, 0, 4, 20, 0, 5), SPACES, MASK0));
  v128.store(h, v128.bitselect(i8x16.shuffle(hi, lo, 21, 0, 6, 22, 0, 7, 23, 0, 0, 8, 24, 0, 9, 25, 0, 10), SPACES, MASK1), 16);
  v128.store(h, v128.bitselect(i8x16.shuffle(hi, lo, 26, 0, 11, 27, 0, 12, 28, 0, 13, 29, 0, 14, 30, 0, 15, 31), SPACES, MASK2), 32);
  v128.store(h, after, 48);
}

/**
 * Writes the full lines at `input + i` while `i <= last` (each has a byte after it below `n`,
 * and an offset below 2^32), from `out + p`, the first at file offset `off`; `mode` is the text
 * column: 0 none, 1 a single-byte table, 2 UTF-8. Stops before a line equal to the one before
 * it when `squeeze` (and `i >= columns`). Returns the output position; RESULT holds the first
 * line not written, the state of the last line written when it began (`pending * 256 + fill`),
 * and the text column's state for the next line.
 */
export function run(
  input: usize,
  i: i32,
  last: i32,
  n: i32,
  out: usize,
  p: i32,
  off: u32,
  columns: i32,
  mode: i32,
  upper: i32,
  squeeze: i32,
  pendingIn: i32,
  fillIn: i32,
  startIn: i32,
): i32 {
  const hex = upper != 0 ? HEX_UPPER : HEX_LOWER;
  const digits = upper != 0 ? DIGITS_UPPER : DIGITS_LOWER;
  const after = mode == 0 ? AFTER_HEX : AFTER_TEXT;
  // The default layout: 16 columns whose separators are 1, 2 after the eighth, and 0 at the end.
  const wide = columns == 16 && load<u64>(SEP) == 0x0201010101010101 && load<u64>(SEP, 8) == 0x0001010101010101;
  const end = input + <usize>n;
  pending = pendingIn;
  fill = fillIn;
  let start = startIn;
  for (; i <= last; i += columns, off += <u32>columns) {
    const line = input + <usize>i;
    if (squeeze != 0 && i >= columns && same(line, line - <usize>columns, columns)) break;
    start = pending * 256 + fill;
    const q = out + <usize>p;
    // The offset in 8 digits: each store's two spaces are overwritten by the next.
    store<u32>(q, load<u32>(hex + ((<usize>(off >> 24)) << 2)));
    store<u32>(q, load<u32>(hex + ((<usize>((off >> 16) & 255)) << 2)), 2);
    store<u32>(q, load<u32>(hex + ((<usize>((off >> 8) & 255)) << 2)), 4);
    store<u32>(q, load<u32>(hex + ((<usize>(off & 255)) << 2)), 6);
    let h = q + 10;
    if (wide) {
      hex16(line, h, digits, after);
      h += 48;
    } else {
      for (let j = 0; j < columns; j++) {
        store<u32>(h, load<u32>(hex + ((<usize>load<u8>(line + <usize>j)) << 2)));
        h += 2 + <usize>load<u8>(SEP + <usize>j);
      }
    }
    // `h` is past the hex column; its last store left two spaces there.
    if (mode == 0) {
      store<u8>(h, NEWLINE);
      p = <i32>(h + 1 - out);
      continue;
    }
    store<u8>(h, BAR, 2);
    let pt = h + 3;
    if (mode == 1) {
      for (let j = 0; j < columns; j++) {
        const b = <usize>load<u8>(line + <usize>j);
        store<u32>(pt, load<u32>(TWORD + (b << 2)));
        pt += <usize>load<u8>(TLEN + b);
      }
    } else pt = utf8Line(line, columns, end, pt);
    store<u8>(pt, BAR);
    store<u8>(pt, NEWLINE, 1);
    p = <i32>(pt + 2 - out);
  }
  store<i32>(RESULT, i);
  store<i32>(RESULT, start, 4);
  store<i32>(RESULT, pending, 8);
  store<i32>(RESULT, fill, 12);
  return p;
}
