import { BAR, type HexTables, type Layout, NEWLINE, SPACE, writeOffset } from './hexdump-layout.js';
import type { LineRuns, RunState } from './hexdump-runs.js';
import type { TextColumn } from './hexdump-text.js';

/** For single lines: where a run stopped is of no interest. */
const ONE_LINE: RunState = { i: 0, state: 0 };

/**
 * Writes one line of the dump into a preallocated buffer: offset, hex column, text column.
 * `writeLine` is the general writer, for any line; `writeFullLine` hands a full line whose next
 * byte is present to the kernel's runs (`runs`, when the dump has them), which write the same
 * bytes.
 */
export class LineWriter {
  constructor(
    readonly layout: Layout,
    readonly tables: HexTables,
    readonly text: TextColumn | undefined,
    private readonly makeRuns: (() => LineRuns | undefined) | undefined,
  ) {}

  private madeRuns: LineRuns | null | undefined;

  /** The kernel's runs for this dump, made when first needed (none without a fast path). */
  get runs(): LineRuns | undefined {
    if (this.madeRuns === undefined) this.madeRuns = this.makeRuns?.() ?? null;
    return this.madeRuns ?? undefined;
  }

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
   * A full line at `input[i]` whose next byte is present (`i + columns < n`): through the
   * kernel (hexdump-runs.ts) where it can take it, else the general writer.
   */
  writeFullLine(
    input: Uint8Array,
    i: number,
    n: number,
    out: Uint8Array,
    dv: DataView,
    p: number,
    offset: number,
  ): number {
    const runs = this.runs;
    if (runs && offset <= 0xffffffff && this.text?.open === undefined)
      return runs.run(input, i, i, n, out, p, offset, false, ONE_LINE);
    return this.writeLine(input, i, this.layout.columns, n, out, dv, p, offset);
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
