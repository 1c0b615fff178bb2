import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { HexDumper } from './hexdump.js';
import { Kernel } from './hexdump-kernel.js';
import type { HexDumpOptions } from './hexdump-layout.js';
import { type DumpResult, type DumpSetup, type DumpTask, formatBlock } from './hexdump-worker-task.js';

/**
 * A hex dump of a large file on several threads. A dump whose text column can resume at any
 * line (no text column, single-byte encodings, UTF-8: see `HexDumper.resumable`) is cut into
 * blocks of whole lines; each thread formats a block from the block plus a few bytes on either
 * side, and the blocks are written in order. The output is byte for byte the single-thread one.
 *
 * Nothing is copied or allocated per block: each thread's line writer (hexdump-kernel.ts) has a
 * shared memory of its own, made here, with two slots in it, each an input and an output buffer.
 * A block is read into a slot of the thread it goes to, the thread formats it in place, and the
 * writer writes the slot's output from where it lies. This thread is one of the threads: it is
 * idle between reads and writes, and already warm. Messages carry only numbers. (Fresh
 * memory is dear: on a small VM, first touching a page can cost more than formatting what it
 * holds.) A block goes to the thread with the least work queued and a free slot, so a thread
 * that the machine slows down does not hold up the others.
 */

export interface BlockSource {
  /**
   * Reads exactly `length` bytes at `position` into `into` (fewer only at the end of the file);
   * resolves with how many.
   */
  read(position: number, length: number, into: Uint8Array): Promise<number>;
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
 * `threads` threads. Each worker costs a V8 isolate that must load the code and warm it up
 * (about 100 ms of CPU on a small VM), and a second thread helps only where a core is idle (two
 * vCPUs that share a core give about 1.2x): measured on this project's 2-core VM, 200 MB dump
 * in the same time on one thread as on two, 600 MB 10-20% faster on two. So by default a dump
 * is split only when it is large (256 MiB) and the machine has an idle core (load average below
 * cores - 1); a thread count set in SOCKREPL_HEXDUMP_THREADS is obeyed for any dump of four
 * blocks or more.
 */
export function canDumpInParallel(options: HexDumpOptions, length: number, threads: number): boolean {
  if (threads < 2 || !Kernel.available) return false;
  const dumper = new HexDumper(options);
  if (!dumper.resumable || length < 4 * blockSize(dumper.columns)) return false;
  if (process.env.SOCKREPL_HEXDUMP_THREADS !== undefined) return true;
  return length >= MIN_SPLIT && loadavg()[0]! <= availableParallelism() - 1;
}

/** Blocks under way per thread: one formatted while the other is read or written. */
const SLOTS = 2;

/** Smallest dump split by default: below it, starting threads costs more than they save. */
const MIN_SPLIT = 256 << 20;

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
  // A block is at most size + 4 bytes, with context before it and up to 3 bytes after it.
  const lookahead = probe.lookahead;
  const inputBytes = context + size + 8;
  const outputBytes = probe.outputBound(size + 8);
  const sizes = [...Array<number>(SLOTS).fill(inputBytes), ...Array<number>(SLOTS).fill(outputBytes)];
  // Thread 0 is this one (it is idle between reads and writes, and warm); the others are workers.
  const local = HexDumper.withBuffers(options, inputBytes, SLOTS, undefined, outputBytes);
  const threadSlots = [
    { memory: undefined, inputs: local.inputs, outputs: local.outputs },
    ...Array.from({ length: threads - 1 }, () => {
      const { kernel, buffers } = Kernel.withBuffers(sizes);
      return { memory: kernel.memory, inputs: buffers.slice(0, SLOTS), outputs: buffers.slice(SLOTS) };
    }),
  ];
  const workers = threadSlots.slice(1).map(({ memory }) => {
    const setup: DumpSetup = { options, memory: memory!, inputBytes, outputBytes, slots: SLOTS };
    return new Worker(new URL('./hexdump-worker.js', import.meta.url), { workerData: setup });
  });
  const free = threadSlots.map(() => Array.from({ length: SLOTS }, (_, k) => k));
  const queued = new Array<number>(threads).fill(0);
  // A worker takes blocks once it has started (about 100 ms): until then this thread does not
  // wait for it, and formats them itself.
  const ready = threadSlots.map((_, k) => k === 0);
  const waiting = new Map<number, { resolve: (r: DumpResult) => void; reject: (e: unknown) => void }>();
  let failure: unknown;
  workers.forEach((w, k) => {
    w.on('message', (r: DumpResult | 'ready') => {
      if (r === 'ready') {
        ready[k + 1] = true;
        pump();
        return;
      }
      waiting.get(r.id)?.resolve(r);
      waiting.delete(r.id);
    });
    w.on('error', (err) => {
      failure = err;
      for (const p of waiting.values()) p.reject(err);
      waiting.clear();
    });
  });

  /** Reads block `id` into a free slot of the least busy thread, which formats it there. */
  const post = async (id: number): Promise<DumpResult & { thread: number }> => {
    const b = blocks[id]!;
    let k = -1;
    for (let q = 0; q < threads; q++)
      if (ready[q] && free[q]!.length > 0 && (k < 0 || queued[q]! < queued[k]!)) k = q;
    const slot = free[k]!.pop()!;
    queued[k]!++;
    const from = Math.max(start, b.at - context);
    // The bytes after the block that its last character may need, and no more: in a dump with
    // 3 columns or fewer, 3 more bytes would be a line of the next block.
    const to = b.final ? b.at + b.length : Math.min(end, b.at + b.length + lookahead);
    const got = await source.read(from, to - from, threadSlots[k]!.inputs[slot]!);
    if (failure) throw failure;
    const task: DumpTask = {
      id,
      slot,
      length: got,
      contextLength: b.at - from,
      blockLength: b.length,
      offset: b.at,
      final: b.final,
    };
    let result: DumpResult;
    if (k === 0) result = formatBlock(local.dumper, local.inputs, local.outputs, task);
    else {
      const done = new Promise<DumpResult>((resolve, reject) => waiting.set(id, { resolve, reject }));
      workers[k - 1]!.postMessage(task);
      result = await done;
    }
    queued[k]!--;
    return { ...result, thread: k };
  };

  const inFlight: Promise<DumpResult & { thread: number }>[] = [];
  let next = 0;
  /** Hands out the next blocks while a thread that has started has a free slot. */
  const pump = () => {
    while (next < blocks.length && threadSlots.some((_, q) => ready[q] && free[q]!.length > 0)) {
      const p = post(next++);
      // Awaited in order below; this only keeps a failure of a later block from going unhandled.
      p.catch(() => {});
      inFlight.push(p);
    }
  };
  try {
    pump();
    for (let id = 0; id < blocks.length; id++) {
      const result = await inFlight.shift()!;
      if (result.consumed !== blocks[id]!.length)
        throw new Error(
          `parallel hex dump: block ${id} formatted ${result.consumed} of ${blocks[id]!.length} bytes`,
        );
      await sink.write(threadSlots[result.thread]!.outputs[result.slot]!.subarray(0, result.written));
      if (sink.closed) break;
      // The slot is written out: the next block may use it.
      free[result.thread]!.push(result.slot);
      pump();
    }
    // Let reads and blocks still under way settle before the threads go.
    await Promise.allSettled(inFlight);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
