import { ASCII_GLYPH, glyphWidth } from './glyphs.js';

/**
 * The UTF-8 cell table of the hex dump's line writer (wasm/hexdump-kernel.ts), which writes the
 * text column of most lines without a branch.
 *
 * In UTF-8 a byte that is not a continuation byte (10xxxxxx) always begins a cell of its own,
 * and a continuation byte is covered by the character before it or is a dot on its own. So
 * what a cell shows is decided by two bytes: its own and the next (a lead byte), or the one
 * before and its own (a continuation byte). One lookup of the two bytes `x y` of cells j and
 * j + 1 gives what cell j shows when x is no continuation byte (an ASCII glyph or a dot, a
 * two-byte character, or "a three- or four-byte character may start here"), then what cell
 * j + 1 shows when y is one (a blank after a printable two-byte character, else a dot): both
 * at once, with one store and one add, whatever came before. The last cell's second part is
 * the next line's first cell, carried over. Only "may start here" needs more bytes, and only
 * when the third byte is a continuation byte too (one line in a dozen of random bytes): that
 * line is written cell by cell.
 */

/** An entry's output bytes are bits 0-23 (up to 3); how many, bits 24-25. */
const LEN_SHIFT = 24;
/** How many of them are the first cell's (0 to 2): a line's last cell writes only those. */
const FIRST_SHIFT = 26;
/** The second cell shows a blank: the first is a printable two-byte character. */
const BLANK = 1 << 28;
/** A two-byte character (shown or dots) covers the second cell. */
const TWO = 1 << 30;
/** A lead byte of three or four with a valid second byte: more bytes decide (bit 31). */
const NEED = 1 << 31;

const DOT = 0x2e;
const SPACE = 0x20;

let table: Int32Array | null | undefined;

/**
 * The table by `x | y << 8`, or null when a two-byte character would be two columns wide (none
 * is in the Unicode tables Node ships; the fast UTF-8 writer is then not used).
 */
export function cellTable(): Int32Array | null {
  if (table !== undefined) return table;
  const t = new Int32Array(65536);
  for (let x = 0; x < 256; x++) {
    // The second byte's bounds for a three- or four-byte lead (as decodeUtf8 checks them).
    const lo = x === 0xe0 ? 0xa0 : x === 0xf0 ? 0x90 : 0x80;
    const hi = x === 0xed ? 0x9f : x === 0xf4 ? 0x8f : 0xbf;
    for (let y = 0; y < 256; y++) {
      const yCont = (y & 0xc0) === 0x80;
      // The first cell's bytes, packed little-endian, and how many.
      let first = DOT;
      let firstLength = 1;
      let second = DOT;
      let flags = 0;
      if ((x & 0xc0) === 0x80) firstLength = 0;
      else if (x < 0x80) first = ASCII_GLYPH[x]!;
      else if (x >= 0xc2 && x < 0xe0 && yCont) {
        const w = glyphWidth(((x & 0x1f) << 6) | (y & 0x3f));
        if (w === 2) {
          table = null;
          return null;
        }
        // Printable: the character, then a blank in the cell of its second byte; else dots.
        if (w === 1) {
          first = x | (y << 8);
          firstLength = 2;
          second = SPACE;
          flags = BLANK;
        }
        flags |= TWO;
      } else if (x >= 0xe0 && x <= 0xf4 && y >= lo && y <= hi) flags = NEED;
      const bytes = firstLength === 0 ? 0 : first;
      const length = firstLength + (yCont ? 1 : 0);
      t[x | (y << 8)] =
        flags |
        bytes |
        (yCont ? second << (8 * firstLength) : 0) |
        (length << LEN_SHIFT) |
        (firstLength << FIRST_SHIFT);
    }
  }
  table = t;
  return t;
}
