import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { HexDumper } from './hexdump.js';
import type { HexDumpOptions } from './hexdump-layout.js';
import type { DumpResult, DumpSetup, DumpTask } from './hexdump-worker.js';

/**
 * A hex dump of a large file on several threads. A dump whose text column can resume at any
 * line (no text column, single-byte encodings, UTF-8: see `HexDumper.resumable`) is cut into
 * blocks of whole lines; each thread formats a block from the block plus a few bytes on either
 * side, and the blocks are written in order. The output is byte for byte the single-thread one.
 *
 * Nothing is allocated per block: each block under way has a slot in two SharedArrayBuffers
 * made once, one for the bytes read and one for the text; a block is read into its input slot,
 * a thread formats it into its output slot, and the writer writes that slot from where it lies.
 * Messages carry only numbers. (Fresh memory is dear: on a small VM, first touching a page can
 * cost more than formatting what it holds.) A block goes to the thread with the least work
 * queued, so a thread that the machine slows down does not hold up the others.
 */

export interface BlockSource {
  /** Reads exactly `length` bytes at `position` (fewer only at the end of the file). */
  read(position: number, length: number): Promise<Uint8Array>;
}

export interface BlockSink {
  write(chunk: Uint8Array): Promise<void>;
  /** True once the reader has gone away: stop early. */
  readonly closed: boolean;
}

/** Blocks of about 1 MiB (or `bytes`), a whole number of lines. */
function blockSize(columns: number, bytes = 1 << 20): number {
  return Math.max(1, Math.floor(bytes / columns)) * columns;
}

/** Internal switches, for tests that want many blocks from little data. */
export interface ParallelTuning {
  /** Bytes per block, rounded down to whole lines (default 1 MiB). */
  blockBytes?: number;
}

/**
 * Whether a dump of `length` bytes with these options is worth (and able to be) split across
 * `threads` threads. Each thread costs a V8 isolate that must load the code and warm it up
 * (a few hundred ms of CPU on a small VM), and a second thread helps only where a core is idle
 * (two vCPUs that share a core give about 1.2x). So by default a dump is split only when it is
 * large (32 MiB) and the machine has an idle core (load average below cores - 1); a thread
 * count set in SOCKREPL_HEXDUMP_THREADS is obeyed for any dump of four blocks or more.
 */
export function canDumpInParallel(options: HexDumpOptions, length: number, threads: number): boolean {
  if (threads < 2) return false;
  const dumper = new HexDumper(options);
  if (!dumper.resumable || length < 4 * blockSize(dumper.columns)) return false;
  if (process.env.SOCKREPL_HEXDUMP_THREADS !== undefined) return true;
  return length >= MIN_SPLIT && loadavg()[0]! <= availableParallelism() - 1;
}

/** Smallest dump split by default: below it, starting threads costs more than they save. */
const MIN_SPLIT = 32 << 20;

interface Block {
  at: number;
  length: number;
  final: boolean;
}

/**
 * Dumps `[start, end)` of a source, with `threads` threads and two blocks per thread under way.
 * Offsets shown are file offsets (the dump starts at `start`).
 */
export async function dumpInParallel(
  options: HexDumpOptions,
  source: BlockSource,
  start: number,
  end: number,
  sink: BlockSink,
  threads: number,
  tuning: ParallelTuning = {},
): Promise<void> {
  const probe = new HexDumper(options);
  const context = probe.resumeContext;
  const size = blockSize(probe.columns, tuning.blockBytes);
  // Every block but the last has at least 4 bytes after it, so its last line can look ahead.
  const blocks: Block[] = [];
  for (let at = start; at < end; ) {
    const rest = end - at;
    const length = rest > size + 4 ? size : rest;
    blocks.push({ at, length, final: at + length >= end });
    at += length;
  }
  const slots = Math.min(blocks.length, 2 * threads);
  // A block is at most size + 4 bytes, with context before it and up to 3 bytes after it.
  const lookahead = probe.lookahead;
  const inputBytes = context + size + 8;
  const outputBytes = probe.outputBound(size + 8);
  const input = new SharedArrayBuffer(slots * inputBytes);
  const output = new SharedArrayBuffer(slots * outputBytes);
  const setup: DumpSetup = { options, input, inputBytes, output, outputBytes };
  const workers = Array.from(
    { length: threads },
    () => new Worker(new URL('./hexdump-worker.js', import.meta.url), { workerData: setup }),
  );
  const queued = new Array<number>(threads).fill(0);
  const waiting = new Map<number, { resolve: (r: DumpResult) => void; reject: (e: unknown) => void }>();
  let failure: unknown;
  workers.forEach((w, k) => {
    w.on('message', (r: DumpResult) => {
      queued[k]!--;
      waiting.get(r.id)?.resolve(r);
      waiting.delete(r.id);
    });
    w.on('error', (err) => {
      failure = err;
      for (const p of waiting.values()) p.reject(err);
      waiting.clear();
    });
  });

  /** Reads block `id` and hands it to the least busy thread, to format into `slot`. */
  const post = async (id: number, slot: number): Promise<DumpResult> => {
    const b = blocks[id]!;
    const from = Math.max(start, b.at - context);
    // The bytes after the block that its last character may need, and no more: in a dump with
    // 3 columns or fewer, 3 more bytes would be a line of the next block.
    const to = b.final ? b.at + b.length : Math.min(end, b.at + b.length + lookahead);
    const bytes = await source.read(from, to - from);
    new Uint8Array(input, slot * inputBytes, inputBytes).set(bytes);
    if (failure) throw failure;
    const task: DumpTask = {
      id,
      slot,
      length: bytes.length,
      contextLength: b.at - from,
      blockLength: b.length,
      offset: b.at,
      final: b.final,
    };
    let k = 0;
    for (let q = 1; q < threads; q++) if (queued[q]! < queued[k]!) k = q;
    queued[k]!++;
    const done = new Promise<DumpResult>((resolve, reject) => waiting.set(id, { resolve, reject }));
    workers[k]!.postMessage(task);
    return done;
  };

  const inFlight: Promise<DumpResult>[] = [];
  const launch = (id: number, slot: number) => {
    const p = post(id, slot);
    // Awaited in order below; this only keeps a failure of a later block from going unhandled.
    p.catch(() => {});
    inFlight.push(p);
  };
  try {
    let next = 0;
    for (; next < slots; next++) launch(next, next);
    for (let id = 0; id < blocks.length; id++) {
      const result = await inFlight.shift()!;
      if (result.consumed !== blocks[id]!.length)
        throw new Error(
          `parallel hex dump: block ${id} formatted ${result.consumed} of ${blocks[id]!.length} bytes`,
        );
      await sink.write(new Uint8Array(output, result.slot * outputBytes, result.written));
      if (sink.closed) break;
      // The slot is written out: the next block may use it.
      if (next < blocks.length) launch(next++, result.slot);
    }
    // Let reads and blocks still under way settle before the threads go.
    await Promise.allSettled(inFlight);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
