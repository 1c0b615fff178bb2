import { BAR, type HexTables, type Layout, NEWLINE, SPACE, writeOffset } from './hexdump-layout.js';
import type { TextColumn } from './hexdump-text.js';

/**
 * Writes one line of the dump into a preallocated buffer: offset, hex column, text column.
 * `writeLine` is the general writer, for any line; `writeFullLine` takes the unrolled fast path
 * (hexdump-fast.ts) for a full line whose next byte is present, and writes the same bytes.
 */
export class LineWriter {
  constructor(
    readonly layout: Layout,
    readonly tables: HexTables,
    readonly text: TextColumn | undefined,
  ) {}

  /** The offset alone, for the end of a squeezed run. */
  writeOffsetLine(out: Uint8Array, dv: DataView, p: number, offset: number): number {
    p = writeOffset(out, dv, p, offset, this.tables);
    out[p] = NEWLINE;
    return p + 1;
  }

  /** Any line of `k` bytes at `input[i]`; a character of its text may read up to `n`. */
  writeLine(
    input: Uint8Array,
    i: number,
    k: number,
    n: number,
    out: Uint8Array,
    dv: DataView,
    p: number,
    offset: number,
  ): number {
    const { word } = this.tables;
    const { advance, sepAfter, columns, hexWidth } = this.layout;
    p = writeOffset(out, dv, p, offset, this.tables) + 2;
    const hexStart = p;
    for (let j = 0; j < k; j++) {
      dv.setUint32(p, word[input[i + j]!]!, true);
      p += advance[j]!;
    }
    if (k < columns && k > 0) p -= sepAfter[k - 1]!;
    if (!this.text) {
      out[p++] = NEWLINE;
      return p;
    }
    // Pad a short last line so its text column lines up with the others.
    const end = hexStart + hexWidth;
    while (p < end) out[p++] = SPACE;
    out[p] = SPACE;
    out[p + 1] = SPACE;
    out[p + 2] = BAR;
    p = this.text.writeText(input, i, k, n, out, dv, p + 3);
    out[p] = BAR;
    out[p + 1] = NEWLINE;
    return p + 2;
  }

  /**
   * A full line at `input[i]` whose next byte is present (`i + columns < n`), and that a
   * character of the line before does not cover entirely.
   */
  writeFullLine(
    input: Uint8Array,
    iv: DataView,
    i: number,
    n: number,
    out: Uint8Array,
    dv: DataView,
    p: number,
    offset: number,
  ): number {
    const { fast, hexWidth } = this.layout;
    const word = this.tables.word;
    const ph = writeOffset(out, dv, p, offset, this.tables) + 2;
    const text = this.text;
    if (!text) {
      fast.hex(input, iv, i, dv, ph, word);
      out[ph + hexWidth] = NEWLINE;
      return ph + hexWidth + 1;
    }
    // The last hex store leaves two spaces before the bar.
    let pt = ph + hexWidth + 3;
    out[pt - 1] = BAR;
    const g = text.glyphs;
    if (g.mode === 'table') pt = fast.table(input, iv, i, dv, ph, word, pt, g.tableWord, g.tableLength);
    else if (g.mode === 'utf8' && text.pendingCells === 0 && text.open === undefined)
      pt = fast.utf8(input, iv, i, dv, ph, word, pt, out, text, n);
    else {
      fast.hex(input, iv, i, dv, ph, word);
      pt = text.writeText(input, i, this.layout.columns, n, out, dv, pt);
    }
    out[pt] = BAR;
    out[pt + 1] = NEWLINE;
    return pt + 2;
  }

  /** The hex column of `k` bytes alone, padded to full width (for rows). */
  writeHexOnly(input: Uint8Array, i: number, k: number, out: Uint8Array): number {
    const { hi, lo } = this.tables;
    const { sepAfter, hexWidth } = this.layout;
    let p = 0;
    for (let j = 0; j < k; j++) {
      const b = input[i + j]!;
      out[p++] = hi[b]!;
      out[p++] = lo[b]!;
      let s = j < k - 1 ? sepAfter[j]! : 0;
      while (s-- > 0) out[p++] = SPACE;
    }
    while (p < hexWidth) out[p++] = SPACE;
    return p;
  }
}
