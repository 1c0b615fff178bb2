import { glyphWidth } from './glyphs.js';
import { cellTable } from './hexdump-cells.js';
import { KERNEL_WASM } from './hexdump-kernel-wasm.js';

/**
 * The hex dump's line writer in WebAssembly (wasm/hexdump-kernel.ts), and the memory it works
 * in: its tables, then room for the bytes it reads and the text it writes. A run of lines whose
 * input and output lie in a kernel's memory is written in place; any other is copied in and out
 * in slices (`LineRuns`, hexdump-runs.ts). A large dump of a file asks for buffers in a kernel
 * of its own (`Kernel.withBuffers`), so its blocks need no copies. The memory is shared, so that
 * a parallel dump's threads and the main thread see the same buffers.
 */

// The memory map, as in wasm/hexdump-kernel.ts.
/** Lower-case hex words, then upper-case ones (HEX_UPPER = HEX_LOWER + 1024). */
const HEX_LOWER = 0x10000;
const SEP = 0x10800;
const TWORD = 0x10900;
const TLEN = 0x10d00;
const RESULT = 0x10e00;
const CELLS = 0x20000;
/** Where the tables end (after the width of every code point) and buffers may begin. */
const TABLES_END = 0x180000;
/** Room for the slices of a run that is copied in and out. */
const SLICE_IN = 1 << 18;
const SLICE_OUT = 3 << 20;
const PAGE = 65536;

/** The little of the WebAssembly API used here (the Node types this project builds with lack it). */
interface Wasm {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (size: { initial: number; maximum: number; shared: true }) => KernelMemory;
}

/**
 * A kernel's memory: a WebAssembly.Memory over a SharedArrayBuffer, which can be sent to a
 * worker thread (the parallel dump's threads write into buffers that the main thread writes out).
 */
export interface KernelMemory {
  readonly buffer: SharedArrayBuffer;
}
const wasm = (globalThis as unknown as { WebAssembly?: Wasm }).WebAssembly;

let compiled: object | undefined;

type RunExport = (
  input: number,
  i: number,
  last: number,
  n: number,
  out: number,
  p: number,
  off: number,
  columns: number,
  mode: number,
  upper: number,
  squeeze: number,
  pending: number,
  fill: number,
  start: number,
) => number;

/** The text column a run writes: none, a single-byte table, UTF-8. */
export const KERNEL_MODE = { none: 0, table: 1, utf8: 2 } as const;

export class Kernel {
  readonly memory: KernelMemory;
  readonly bytes: Uint8Array;
  readonly run: RunExport;
  private readonly result: Int32Array;
  /** What the per-dump tables hold now: the layout's separators, the single-byte table. */
  private sep: Uint8Array | undefined;
  private tword: Uint32Array | undefined;
  private cells = false;
  /** Where the slices of copied runs lie. */
  readonly sliceIn: number;
  readonly sliceOut: number;

  private constructor(extra: number, memory?: KernelMemory) {
    if (!wasm) throw new Error('no WebAssembly');
    compiled ??= new wasm.Module(Buffer.from(KERNEL_WASM, 'base64'));
    const pages = Math.ceil((TABLES_END + SLICE_IN + SLICE_OUT + extra) / PAGE);
    this.memory = memory ?? new wasm.Memory({ initial: pages, maximum: pages, shared: true });
    const instance = new wasm.Instance(compiled, { env: { memory: this.memory, width: glyphWidth } });
    this.run = instance.exports.run as RunExport;
    this.bytes = new Uint8Array(this.memory.buffer);
    this.result = new Int32Array(this.memory.buffer, RESULT, 4);
    this.sliceIn = TABLES_END;
    this.sliceOut = TABLES_END + SLICE_IN;
    const digits = [Buffer.from('0123456789abcdef'), Buffer.from('0123456789ABCDEF')];
    const words = new Uint32Array(this.memory.buffer, HEX_LOWER, 512);
    for (let b = 0; b < 512; b++) {
      const d = digits[b >> 8]!;
      words[b] = d[(b >> 4) & 15]! | (d[b & 15]! << 8) | 0x20200000;
    }
  }

  private static shared: Kernel | null | undefined;

  /**
   * Whether this Node has WebAssembly (not with --jitless): without it, every line goes through
   * the general writer, and a file is dumped on one thread.
   */
  static readonly available = wasm !== undefined;

  /** The kernel of this thread for runs copied in and out. */
  static get(): Kernel | undefined {
    if (Kernel.shared === undefined) Kernel.shared = Kernel.available ? new Kernel(0) : null;
    return Kernel.shared ?? undefined;
  }

  /**
   * A kernel of its own with buffers of these sizes in its memory, for a dump that reads and
   * writes them (the runs of lines between them are then written in place). Given the memory of
   * such a kernel (from another thread), a kernel of this thread on it, and the same buffers.
   */
  static withBuffers(sizes: readonly number[], memory?: KernelMemory): { kernel: Kernel; buffers: Buffer[] } {
    const aligned = sizes.map((s) => Math.ceil(s / 16) * 16);
    const kernel = new Kernel(
      aligned.reduce((a, b) => a + b, 0),
      memory,
    );
    let at = kernel.sliceOut + SLICE_OUT;
    const buffers = aligned.map((s, k) => {
      const b = Buffer.from(kernel.memory.buffer, at, sizes[k]!);
      at += s;
      return b;
    });
    return { kernel, buffers };
  }

  /** Whether `view` lies in this kernel's memory. */
  holds(view: Uint8Array): boolean {
    return view.buffer === this.memory.buffer;
  }

  /** Loads the tables a dump's runs read, where they differ from what is loaded. */
  prepare(sepAfter: Uint8Array, mode: number, tableWord: Uint32Array, tableLength: Uint8Array): boolean {
    if (this.sep !== sepAfter) {
      this.bytes.set(sepAfter, SEP);
      this.sep = sepAfter;
    }
    if (mode === KERNEL_MODE.table && this.tword !== tableWord) {
      new Uint32Array(this.memory.buffer, TWORD, 256).set(tableWord);
      this.bytes.set(tableLength, TLEN);
      this.tword = tableWord;
    }
    if (mode === KERNEL_MODE.utf8 && !this.cells) {
      const cells = cellTable();
      if (!cells) return false;
      new Uint32Array(this.memory.buffer, CELLS, 65536).set(new Uint32Array(cells.buffer));
      this.cells = true;
    }
    return true;
  }

  /** The first line a run did not write. */
  get stoppedAt(): number {
    return this.result[0]!;
  }
  /** `pendingCells * 256 + pendingFill` when the last line written began. */
  get startState(): number {
    return this.result[1]!;
  }
  /** The text column's state for the next line. */
  get pending(): number {
    return this.result[2]!;
  }
  get fill(): number {
    return this.result[3]!;
  }

  /** Lines of `lineBound` bytes that one copied slice can take. */
  sliceLines(columns: number, lineBound: number): number {
    return Math.max(
      1,
      Math.min(Math.floor((SLICE_IN - 2 * columns - 8) / columns), Math.floor(SLICE_OUT / lineBound)),
    );
  }
}
