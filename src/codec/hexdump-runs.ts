import { KERNEL_MODE, Kernel } from './hexdump-kernel.js';
import { DOT, type HexTables, type Layout } from './hexdump-layout.js';
import type { TextColumn } from './hexdump-text.js';

/** Where a run of lines stopped, for its caller. */
export interface RunState {
  /** The first line not written. */
  i: number;
  /** Text column: `pendingCells * 256 + pendingFill` when the last line written began. */
  state: number;
}

/**
 * Runs of full lines through the WebAssembly line writer (hexdump-kernel.ts), which writes what
 * the general writer (`LineWriter.writeLine`) writes, for dumps with no text column, a
 * single-byte encoding's, or UTF-8's. Input and output that lie in the kernel's memory are
 * written in place; others are copied in and out a slice at a time.
 */
export class LineRuns {
  private constructor(
    private readonly kernel: Kernel,
    private readonly layout: Layout,
    private readonly upper: number,
    private readonly mode: number,
    private readonly text: TextColumn | undefined,
  ) {}

  /** The runs of a dump, or undefined when its text column is not one the kernel writes. */
  static of(
    layout: Layout,
    tables: HexTables,
    text: TextColumn | undefined,
    kernel: Kernel | undefined = Kernel.get(),
  ): LineRuns | undefined {
    if (!kernel) return undefined;
    const mode = text?.glyphs.mode;
    const m =
      mode === undefined
        ? KERNEL_MODE.none
        : mode === 'table'
          ? KERNEL_MODE.table
          : mode === 'utf8'
            ? KERNEL_MODE.utf8
            : undefined;
    if (m === undefined) return undefined;
    const g = text?.glyphs;
    if (
      !kernel.prepare(
        layout.sepAfter,
        m,
        g?.tableWord ?? new Uint32Array(0),
        g?.tableLength ?? new Uint8Array(0),
      )
    )
      return undefined;
    return new LineRuns(kernel, layout, tables.upper ? 1 : 0, m, text);
  }

  /**
   * Writes the full lines from `input[i]` while `i <= last` from `out[p]`, the first at file
   * offset `offset`; the caller makes sure each has its next byte below `n` and an offset
   * below 2^32. Stops early before a line equal to the one before it, when `squeeze` (and
   * `i >= columns`). Returns the output position, sets `st`, and leaves the text column's
   * state as the general writer would.
   */
  run(
    input: Uint8Array,
    i: number,
    last: number,
    n: number,
    out: Uint8Array,
    p: number,
    offset: number,
    squeeze: boolean,
    st: RunState,
  ): number {
    const k = this.kernel;
    const { columns, sepAfter, lineBound } = this.layout;
    const text = this.text;
    const g = text?.glyphs;
    // Another dump on this thread may have loaded its own tables since.
    k.prepare(sepAfter, this.mode, g?.tableWord ?? EMPTY32, g?.tableLength ?? EMPTY8);
    const sq = squeeze ? 1 : 0;
    let pending = text ? text.pendingCells : 0;
    let fill = text ? text.pendingFill : DOT;
    let start = st.state;
    if (k.holds(input) && k.holds(out)) {
      p = k.run(
        input.byteOffset,
        i,
        last,
        n,
        out.byteOffset,
        p,
        offset,
        columns,
        this.mode,
        this.upper,
        sq,
        pending,
        fill,
        start,
      );
      i = k.stoppedAt;
      start = k.startState;
      pending = k.pending;
      fill = k.fill;
    } else {
      const lines = k.sliceLines(columns, lineBound);
      while (i <= last) {
        const sliceLast = Math.min(last, i + (lines - 1) * columns);
        // The line before (for squeezing), and the bytes after that a last character may need.
        const from = Math.max(0, i - columns);
        const to = Math.min(n, sliceLast + columns + 3);
        k.bytes.set(input.subarray(from, to), k.sliceIn);
        const w = k.run(
          k.sliceIn,
          i - from,
          sliceLast - from,
          to - from,
          k.sliceOut,
          0,
          offset,
          columns,
          this.mode,
          this.upper,
          sq,
          pending,
          fill,
          start,
        );
        out.set(k.bytes.subarray(k.sliceOut, k.sliceOut + w), p);
        p += w;
        const stop = k.stoppedAt + from;
        offset += stop - i;
        i = stop;
        start = k.startState;
        pending = k.pending;
        fill = k.fill;
        if (i <= sliceLast) break;
      }
    }
    st.i = i;
    st.state = start;
    if (text) {
      text.pendingCells = pending;
      text.pendingFill = fill;
    }
    return p;
  }
}

const EMPTY32 = new Uint32Array(0);
const EMPTY8 = new Uint8Array(0);
