import { Worker } from 'node:worker_threads';
import { HexDumper, type HexDumpOptions } from './hexdump.js';
import type { DumpResult, DumpTask } from './hexdump-worker.js';

/**
 * A hex dump of a large file on several threads. A dump whose text column can resume at any
 * line (no text column, single-byte encodings, UTF-8: see `HexDumper.resumable`) is cut into
 * blocks of whole lines; each thread formats a block from the block plus a few bytes on either
 * side, and the blocks are written in order. The output is byte for byte the single-thread one.
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

/** Blocks of about 1 MiB, a whole number of lines. */
function blockSize(columns: number): number {
  return Math.max(1, Math.floor((1 << 20) / columns)) * columns;
}

/** Whether a dump of `length` bytes with these options is worth (and able to be) split. */
export function canDumpInParallel(options: HexDumpOptions, length: number, threads: number): boolean {
  if (threads < 2) return false;
  const dumper = new HexDumper(options);
  return dumper.resumable && length >= 4 * blockSize(dumper.columns);
}

/**
 * Dumps `[start, end)` of a source, `threads` blocks at a time. Offsets shown are file offsets
 * (the dump starts at `start`).
 */
export async function dumpInParallel(
  options: HexDumpOptions,
  source: BlockSource,
  start: number,
  end: number,
  sink: BlockSink,
  threads: number,
): Promise<void> {
  const probe = new HexDumper(options);
  const context = probe.resumeContext;
  const size = blockSize(probe.columns);
  // Every block but the last has at least 4 bytes after it, so its last line can look ahead.
  const blocks: { at: number; length: number; final: boolean }[] = [];
  for (let at = start; at < end; ) {
    const rest = end - at;
    const length = rest > size + 4 ? size : rest;
    blocks.push({ at, length, final: at + length >= end });
    at += length;
  }

  const workers = Array.from(
    { length: threads },
    () => new Worker(new URL('./hexdump-worker.js', import.meta.url), { workerData: options }),
  );
  const waiting = new Map<number, { resolve: (r: DumpResult) => void; reject: (e: unknown) => void }>();
  const spare: ArrayBuffer[] = [];
  let failure: unknown;
  for (const w of workers) {
    w.on('message', (r: DumpResult) => {
      waiting.get(r.id)?.resolve(r);
      waiting.delete(r.id);
    });
    w.on('error', (err) => {
      failure = err;
      for (const p of waiting.values()) p.reject(err);
      waiting.clear();
    });
  }

  const post = async (id: number): Promise<DumpResult> => {
    const b = blocks[id]!;
    const from = Math.max(start, b.at - context);
    const to = b.final ? b.at + b.length : Math.min(end, b.at + b.length + 3);
    const bytes = await source.read(from, to - from);
    const input =
      bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
    const task: DumpTask = {
      id,
      input: input.buffer as ArrayBuffer,
      contextLength: b.at - from,
      blockLength: b.length,
      offset: b.at,
      final: b.final,
      recycled: spare.pop(),
    };
    if (failure) throw failure;
    const done = new Promise<DumpResult>((resolve, reject) => waiting.set(id, { resolve, reject }));
    workers[id % threads]!.postMessage(task, task.recycled ? [task.input, task.recycled] : [task.input]);
    return done;
  };

  try {
    // Keep two blocks per thread in flight: one being formatted, one waiting.
    const inFlight: Promise<DumpResult>[] = [];
    let next = 0;
    for (let id = 0; id < blocks.length; id++) {
      while (next < blocks.length && next < id + 2 * threads) {
        const p = post(next++);
        // Awaited in order below; this only keeps a failure of a later block from going unhandled.
        p.catch(() => {});
        inFlight.push(p);
      }
      const result = await inFlight.shift()!;
      if (result.consumed !== blocks[id]!.length)
        throw new Error(
          `parallel hex dump: block ${id} formatted ${result.consumed} of ${blocks[id]!.length} bytes`,
        );
      await sink.write(new Uint8Array(result.output, 0, result.written));
      spare.push(result.output);
      if (sink.closed) break;
    }
    // Let reads and blocks still under way settle before the threads go.
    await Promise.allSettled(inFlight);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
