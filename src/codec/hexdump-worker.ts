import { parentPort, workerData } from 'node:worker_threads';
import { HexDumper, type HexDumpOptions } from './hexdump.js';

/**
 * One thread of a parallel hex dump (see hexdump-parallel.ts): formats the blocks it is sent,
 * each with a little context before it, and sends the text back. Buffers travel by transfer,
 * never by copy.
 */

export interface DumpTask {
  id: number;
  /** Context bytes, then the block, then up to 3 bytes after it. */
  input: ArrayBuffer;
  contextLength: number;
  blockLength: number;
  /** File offset of the block's first byte. */
  offset: number;
  final: boolean;
  /** A spent output buffer to reuse, if it is large enough. */
  recycled?: ArrayBuffer;
}

export interface DumpResult {
  id: number;
  output: ArrayBuffer;
  written: number;
  /** Bytes of the block formatted; anything but `blockLength` is a bug. */
  consumed: number;
  input: ArrayBuffer;
}

const dumper = new HexDumper(workerData as HexDumpOptions);

parentPort?.on('message', (task: DumpTask) => {
  const input = new Uint8Array(task.input);
  dumper.resume(input, task.contextLength, task.offset);
  const block = input.subarray(task.contextLength);
  const need = dumper.outputBound(block.length);
  const output = task.recycled && task.recycled.byteLength >= need ? task.recycled : new ArrayBuffer(need);
  const { written, consumed } = dumper.formatInto(block, task.final, new Uint8Array(output));
  const result: DumpResult = { id: task.id, output, written, consumed, input: task.input };
  parentPort?.postMessage(result, [output, task.input]);
});
