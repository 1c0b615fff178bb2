import type { RunLines, RunState } from './hexdump-fast.js';
import {
  BAR,
  type HexTables,
  type Layout,
  NEWLINE,
  pairTable,
  SPACE,
  writeOffset,
} from './hexdump-layout.js';
import type { TextColumn } from './hexdump-text.js';

/** For single lines: where a run stopped is of no interest. */
const ONE_LINE: RunState = { i: 0, state: 0 };

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

  /** Makes the tables the fast writers need (once per process), before the first full line. */
  private prepare(): void {
    for (const s of this.layout.pairSeparators) pairTable(this.tables, s);
    this.prepared = true;
  }

  private prepared = false;

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
   * The fast writer for runs of lines in this dump's text column, or undefined when its lines
   * go through the general writer (GBK, UTF-16 and the other multi-byte encodings).
   */
  get runner(): RunLines | undefined {
    const mode = this.text?.glyphs.mode;
    const fast = this.layout.fast;
    return mode === undefined
      ? fast.runHex
      : mode === 'table'
        ? fast.runTable
        : mode === 'utf8'
          ? fast.runUtf8
          : undefined;
  }

  /**
   * Writes the full lines from `input[i]` while `i <= last` with the unrolled writers (see
   * `RunLines`); the caller makes sure each has its next byte below `n` and an offset below 2^32.
   */
  run(
    input: Uint8Array,
    iv: DataView,
    i: number,
    last: number,
    n: number,
    out: Uint8Array,
    dv: DataView,
    p: number,
    offset: number,
    squeeze: boolean,
    st: RunState,
  ): number {
    if (!this.prepared) this.prepare();
    return this.runner!(input, iv, i, last, n, out, dv, p, offset, this.tables, this.text, squeeze, st);
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
    const text = this.text;
    const runner = this.runner;
    if (
      runner &&
      offset <= 0xffffffff &&
      (text === undefined || (text.pendingCells === 0 && text.open === undefined))
    )
      return this.run(input, iv, i, i, n, out, dv, p, offset, false, ONE_LINE);
    if (!this.prepared) this.prepare();
    const { fast, hexWidth } = this.layout;
    const t = this.tables;
    const ph = writeOffset(out, dv, p, offset, t) + 2;
    fast.hex(input, iv, i, dv, ph, t);
    if (!text) {
      out[ph + hexWidth] = NEWLINE;
      return ph + hexWidth + 1;
    }
    // The last hex store leaves at least two spaces after the column, and may run over the bar.
    out[ph + hexWidth + 2] = BAR;
    const pt = text.writeText(input, i, this.layout.columns, n, out, dv, ph + hexWidth + 3);
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
