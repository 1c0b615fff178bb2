import { GlyphDecoder } from './glyphs.js';
import { Kernel, type KernelMemory } from './hexdump-kernel.js';
import { type HexDumpOptions, LOWER_HEX, layoutFor, NEWLINE, STAR, UPPER_HEX } from './hexdump-layout.js';
import { LineWriter } from './hexdump-lines.js';
import { type HexDumpRow, textCells } from './hexdump-rows.js';
import { LineRuns, type RunState } from './hexdump-runs.js';
import { type OpenChunk, TextColumn } from './hexdump-text.js';
import { DEFAULT_ENCODING } from './text.js';

/**
 * The hex dump, in the layout of `hexdump -C`:
 *
 *   00000000  48 65 6c 6c 6f 2c 20 e4  b8 96 e7 95 8c 0a        |Hello, 世 界 .|
 *
 * offset, hex bytes in groups, and a text column decoded in any encoding. Repeated lines squeeze
 * into `*` (as hexdump and hexyl do, xxd with -a). Output is written into preallocated buffers
 * from lookup tables, no string per line. The parts:
 *
 *   hexdump-layout.ts  options, line layout, hex tables, the offset
 *   byte-class.ts      hexyl's byte classes (colours in the TUI)
 *   hexdump-runs.ts    runs of full lines through the line writer in WebAssembly (the fast
 *                      path: hexdump-kernel.ts, wasm/hexdump-kernel.ts, hexdump-cells.ts)
 *   hexdump-lines.ts   one line: the general writer, and the choice of the fast one
 *   hexdump-text.ts    the text column cell by cell, and characters across lines and chunks
 *   hexdump-rows.ts    rows of styled cells for the TUI
 *   hexdump.ts         the streaming dumper: offset, squeezing, resuming mid-file, chunks
 */

export { BYTE_CLASS_TABLE, BYTE_CLASSES, type ByteClass, byteClass } from './byte-class.js';
export type { HexDumpOptions } from './hexdump-layout.js';
export type { HexDumpRow, TextCell } from './hexdump-rows.js';

/** Internal switches, for tests that compare the fast path with the general one. */
export interface HexDumperTuning {
  /** false: every line through the general writer (default true). */
  fastPath?: boolean;
  /** The line writer whose memory holds this dump's buffers (`Kernel.withBuffers`). */
  kernel?: Kernel;
}

/**
 * A streaming hex dumper: feed blocks, get the text for every line that is complete. Keeps the
 * offset, the squeeze state and a character split across two lines from one block to the next.
 */
export class HexDumper {
  readonly columns: number;
  readonly group: number;
  readonly squeeze: boolean;
  private readonly glyphs: GlyphDecoder | undefined;
  private readonly text: TextColumn | undefined;
  private readonly lines: LineWriter;
  private readonly fastPath: boolean;
  private offset: number;
  private readonly prev: Uint8Array;
  private hasPrev = false;
  private inSqueeze = false;
  /** `pendingCells * 256 + pendingFill` when the previous line began; -1 when not known. */
  private previousStartState = -1;
  private started = false;
  private carry: Buffer | undefined;
  private readonly runState: RunState = { i: 0, state: 0 };

  constructor(options: HexDumpOptions = {}, tuning: HexDumperTuning = {}) {
    const layout = layoutFor(options.columns ?? 16, options.group ?? 1);
    this.columns = layout.columns;
    this.group = layout.group;
    this.squeeze = options.squeeze ?? true;
    const encoding = options.encoding ?? DEFAULT_ENCODING;
    this.glyphs = encoding === false ? undefined : new GlyphDecoder(encoding);
    this.text = this.glyphs && new TextColumn(this.glyphs);
    const tables = options.uppercase ? UPPER_HEX : LOWER_HEX;
    this.fastPath = tuning.fastPath ?? true;
    const text = this.text;
    // The line writer in WebAssembly is made when a dump first has full lines for it.
    const makeRuns = this.fastPath
      ? () => LineRuns.of(layout, tables, text, tuning.kernel ?? Kernel.get())
      : undefined;
    this.lines = new LineWriter(layout, tables, text, makeRuns);
    this.offset = options.startOffset ?? 0;
    this.prev = new Uint8Array(layout.columns);
  }

  /**
   * A dumper with `count` input buffers of `inputBytes` and as many output buffers (of
   * `outputBytes`, by default enough for an input buffer), in the memory of a line writer of
   * its own, which then formats them in place (no copies). Given the memory of such a writer
   * made on another thread with the same sizes, the same buffers in it.
   */
  static withBuffers(
    options: HexDumpOptions,
    inputBytes: number,
    count: number,
    memory?: KernelMemory,
    outputBytes?: number,
  ): { dumper: HexDumper; inputs: Buffer[]; outputs: Buffer[] } {
    const bound = outputBytes ?? new HexDumper(options, { fastPath: false }).outputBound(inputBytes);
    const sizes = [...Array<number>(count).fill(inputBytes), ...Array<number>(count).fill(bound)];
    if (!Kernel.available) {
      const buffers = sizes.map((n) => Buffer.allocUnsafe(n));
      return {
        dumper: new HexDumper(options),
        inputs: buffers.slice(0, count),
        outputs: buffers.slice(count),
      };
    }
    const { kernel, buffers } = Kernel.withBuffers(sizes, memory);
    return {
      dumper: new HexDumper(options, { kernel }),
      inputs: buffers.slice(0, count),
      outputs: buffers.slice(count),
    };
  }

  /** Upper bound of the output for `n` input bytes, for callers that bring their own buffer. */
  outputBound(n: number): number {
    return (Math.ceil(n / this.columns) + 3) * this.lines.layout.lineBound;
  }

  /** Bytes past the last full line that `formatInto` needs before it formats that line. */
  get lookahead(): number {
    return this.glyphs?.lookahead ?? 0;
  }

  /**
   * Whether a dump can start at any line without having seen the lines before it, given a
   * little context (`resume`): true for no text column, single-byte encodings and UTF-8,
   * whose characters are recognisable from their first byte. Such dumps can be split across
   * threads; a GBK or UTF-16 column must be read from the start.
   */
  get resumable(): boolean {
    return this.glyphs?.mode !== 'general';
  }

  /** Context a `resume` needs before the first line: two lines (squeeze) and 3 bytes (UTF-8). */
  get resumeContext(): number {
    return Math.max(2 * this.columns, 4);
  }

  /**
   * Sets the state a sequential dump would have at `data[contextLength]`, a line boundary at
   * file offset `offset`, from the bytes before it (up to `resumeContext`) and after it: the
   * previous line for squeezing, whether it was squeezed, and a UTF-8 character that began
   * before the boundary.
   */
  resume(data: Uint8Array, contextLength: number, offset: number): void {
    if (!this.resumable) throw new Error(`a ${this.glyphs?.encoding} text column cannot resume mid-stream`);
    const cols = this.columns;
    this.offset = offset;
    this.carry = undefined;
    this.started = true;
    this.hasPrev = contextLength >= cols;
    if (this.hasPrev) this.prev.set(data.subarray(contextLength - cols, contextLength));
    this.inSqueeze =
      this.squeeze &&
      contextLength >= 2 * cols &&
      Buffer.compare(
        data.subarray(contextLength - 2 * cols, contextLength - cols),
        data.subarray(contextLength - cols, contextLength),
      ) === 0;
    this.previousStartState = -1;
    this.text?.resumeAt(data, contextLength);
  }

  /**
   * Formats every line of `input` that can be decided into `out` (which must hold
   * `outputBound(input.length)` bytes). Unless `final`, a partial last line, and a line whose
   * last character may continue past the input, are left: `consumed` says how many input bytes
   * were used, and the caller passes the rest again with more data.
   */
  formatInto(input: Uint8Array, final: boolean, out: Uint8Array): { written: number; consumed: number } {
    const cols = this.columns;
    const n = input.length;
    const need = cols + this.lookahead;
    const text = this.text;
    if (!this.started && n > 0 && this.glyphs) {
      this.glyphs.sniff(input);
      this.started = true;
    }
    const lines = this.lines;
    const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
    const fast = this.fastPath;
    // Squeezed lines whose characters may cross into the next line still decide its first cells.
    const squeezeText = text !== undefined && text.glyphs.mode !== 'table';
    const squeeze = this.squeeze;
    // The line loop keeps the dumper's state in locals, and puts it back after.
    let offset = this.offset;
    let inSqueeze = this.inSqueeze;
    let previousStartState = this.previousStartState;
    const last = final ? n - cols : n - need;
    // Runs of ordinary lines go through the kernel in one call: every line but the
    // first (whose predecessor may be in `prev`), up to the last with a byte after it and an
    // offset of 8 digits.
    // (Not for a chunk of traffic: a character it ends inside is held for the next chunk, which
    // only the general writer knows.)
    const runs = lines.runs !== undefined && text?.open === undefined ? lines.runs : undefined;
    const runLast = Math.min(last, n - cols - 1);
    const st = this.runState;
    let i = 0;
    let p = 0;
    let linesHere = 0;
    for (; i <= last; i += cols, offset += cols, linesHere++) {
      if (runs && i > 0 && i <= runLast && offset <= 0xffffffff - cols) {
        const upTo = Math.min(runLast, i + Math.floor((0xffffffff - offset) / cols) * cols);
        st.i = i;
        st.state = previousStartState;
        p = runs.run(input, i, upTo, n, out, p, offset, squeeze, st);
        if (st.i > i) {
          inSqueeze = false;
          previousStartState = text ? st.state : 0;
          offset += st.i - i;
          linesHere += (st.i - i) / cols;
          i = st.i;
          if (i > last) break;
        }
      }
      const pending = text ? text.pendingCells : 0;
      const startState = text ? pending * 256 + text.pendingFill : 0;
      if (squeeze && (linesHere > 0 || this.hasPrev) && this.sameAsPrevious(input, i, linesHere > 0)) {
        // The line is not printed, but a character crossing into the next line still counts,
        // unless this line starts as the identical line before it did and is followed by what
        // followed that one (its own first bytes): then it ends as it did.
        if (squeezeText && (startState !== previousStartState || !this.followedAlike(input, i, n)))
          text.writeText(input, i, cols, n, out, dv, p);
        if (!inSqueeze) {
          out[p++] = STAR;
          out[p++] = NEWLINE;
          inSqueeze = true;
        }
      } else {
        inSqueeze = false;
        p =
          fast && pending < cols && i + cols < n
            ? lines.writeFullLine(input, i, n, out, dv, p, offset)
            : lines.writeLine(input, i, cols, n, out, dv, p, offset);
      }
      previousStartState = startState;
    }
    this.offset = offset;
    this.inSqueeze = inSqueeze;
    this.previousStartState = previousStartState;
    if (linesHere > 0) {
      this.prev.set(input.subarray(i - cols, i));
      this.hasPrev = true;
    }
    if (final) {
      if (i < n) {
        this.inSqueeze = false;
        p = lines.writeLine(input, i, n - i, n, out, dv, p, this.offset);
        this.offset += n - i;
        i = n;
      }
      // A dump that ends inside a squeezed run would hide its length: print where it ends.
      if (this.inSqueeze) p = lines.writeOffsetLine(out, dv, p, this.offset);
      this.inSqueeze = false;
    }
    return { written: p, consumed: i };
  }

  /** Streams a chunk; returns the text of every line it completes. */
  write(chunk: Uint8Array): Buffer {
    const input = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    const out = Buffer.allocUnsafe(this.outputBound(input.length));
    const { written, consumed } = this.formatInto(input, false, out);
    this.carry = consumed < input.length ? Buffer.from(input.subarray(consumed)) : undefined;
    return out.subarray(0, written);
  }

  /** Ends the stream: the partial last line, and the end offset after a squeezed run. */
  end(): Buffer {
    const input = this.carry ?? new Uint8Array(0);
    this.carry = undefined;
    const out = Buffer.allocUnsafe(this.outputBound(input.length));
    const { written } = this.formatInto(input, true, out);
    return out.subarray(0, written);
  }

  /**
   * Dumps one chunk of a stream that arrives in chunks (a connection's traffic) as a whole dump
   * of its own, every line printed, on a new dumper. `before` is what the previous chunk's call
   * held back (`held` bytes at its end, joined to the bytes before them if they were all held):
   * the start of a character that chunk did not finish. Such a character is drawn whole in this
   * chunk's first cell, blanks over the rest of its bytes here; one that this chunk begins and
   * does not finish is blanks, and `held` says how many bytes at the end of `before` and `input`
   * it has so far. Bytes that turn out to be no character are dots where they are shown.
   */
  formatChunk(input: Uint8Array, before: Uint8Array, out: Uint8Array): { written: number; held: number } {
    const text = this.text;
    if (!text || text.glyphs.mode === 'table')
      return { written: this.formatInto(input, true, out).written, held: 0 };
    if (input.length === 0) return { written: 0, held: before.length };
    if (!this.started) {
      text.glyphs.sniff(input);
      this.started = true;
    }
    const open: OpenChunk = { held: 0, lead: undefined, leadWidth: 0 };
    if (before.length > 0) text.continueCharacter(input, before, open);
    text.open = open;
    try {
      const { written } = this.formatInto(input, true, out);
      return { written, held: open.held };
    } finally {
      text.open = undefined;
    }
  }

  /**
   * Whether the bytes after the line at `i` that its last character may read are those after the
   * identical line before it, which were this line's first bytes. A line ending in a UTF-8 lead
   * byte or a UTF-16 high surrogate ends in a character or in dots depending on them.
   */
  private followedAlike(input: Uint8Array, i: number, n: number): boolean {
    const cols = this.columns;
    const look = this.lookahead;
    if (i + cols + look > n) return false;
    for (let j = 0; j < look; j++) if (input[i + cols + j] !== input[i + j]) return false;
    return true;
  }

  private sameAsPrevious(input: Uint8Array, i: number, local: boolean): boolean {
    const cols = this.columns;
    if (local) {
      for (let j = 0; j < cols; j++) if (input[i + j] !== input[i - cols + j]) return false;
      return true;
    }
    const prev = this.prev;
    for (let j = 0; j < cols; j++) if (input[i + j] !== prev[j]) return false;
    return true;
  }

  /** Structured rows for views that style cells; same decisions as the plain output. */
  rows(input: Uint8Array): HexDumpRow[] {
    const cols = this.columns;
    const n = input.length;
    if (!this.started && n > 0 && this.glyphs) {
      this.glyphs.sniff(input);
      this.started = true;
    }
    const rows: HexDumpRow[] = [];
    let last: Extract<HexDumpRow, { kind: 'squeeze' }> | undefined;
    for (let i = 0; i < n; i += cols) {
      const k = Math.min(cols, n - i);
      const text = this.text ? textCells(this.text, input, i, k, n) : [];
      if (this.squeeze && k === cols && i >= cols && this.sameAsPrevious(input, i, true)) {
        if (last) last.lines++;
        else {
          last = { kind: 'squeeze', offset: this.offset, lines: 1 };
          rows.push(last);
        }
      } else {
        last = undefined;
        const scratch = Buffer.allocUnsafe(this.lines.layout.lineBound);
        const end = this.lines.writeHexOnly(input, i, k, scratch);
        rows.push({
          kind: 'data',
          offset: this.offset,
          bytes: input.subarray(i, i + k),
          hex: scratch.toString('latin1', 0, end),
          text,
        });
      }
      this.offset += k;
    }
    return rows;
  }
}

/** Dumps a whole byte string to text. */
export function hexdump(bytes: Uint8Array, options: HexDumpOptions = {}): string {
  const dumper = new HexDumper(options);
  const out = Buffer.allocUnsafe(dumper.outputBound(bytes.length));
  const { written } = dumper.formatInto(bytes, true, out);
  return out.toString('utf8', 0, written);
}

/** The same dump as rows with styled cells, for the TUI. */
export function hexdumpRows(bytes: Uint8Array, options: HexDumpOptions = {}): HexDumpRow[] {
  return new HexDumper(options).rows(bytes);
}
