import { parentPort, workerData } from 'node:worker_threads';
import { HexDumper } from './hexdump.js';
import type { HexDumpOptions } from './hexdump-layout.js';

/**
 * One thread of a parallel hex dump (see hexdump-parallel.ts): formats the blocks it is sent,
 * each with a little context before it, from its slot of the shared input buffer into the same
 * slot of the shared output buffer, and says how much it wrote. Messages carry only numbers.
 */

export interface DumpSetup {
  options: HexDumpOptions;
  /** Input slots, `inputBytes` each: the blocks as read. */
  input: SharedArrayBuffer;
  inputBytes: number;
  /** Output slots, `outputBytes` each. */
  output: SharedArrayBuffer;
  outputBytes: number;
}

export interface DumpTask {
  id: number;
  /** The slot of the input and the output buffers the block uses. */
  slot: number;
  /** Bytes in the input slot: context bytes, then the block, then up to 3 bytes after it. */
  length: number;
  contextLength: number;
  blockLength: number;
  /** File offset of the block's first byte. */
  offset: number;
  final: boolean;
}

export interface DumpResult {
  id: number;
  slot: number;
  written: number;
  /** Bytes of the block formatted; anything but `blockLength` is a bug. */
  consumed: number;
}

const { options, input, inputBytes, output, outputBytes } = workerData as DumpSetup;
const dumper = new HexDumper(options);

parentPort?.on('message', (task: DumpTask) => {
  const bytes = new Uint8Array(input, task.slot * inputBytes, task.length);
  dumper.resume(bytes, task.contextLength, task.offset);
  const out = new Uint8Array(output, task.slot * outputBytes, outputBytes);
  const { written, consumed } = dumper.formatInto(bytes.subarray(task.contextLength), task.final, out);
  const result: DumpResult = { id: task.id, slot: task.slot, written, consumed };
  parentPort?.postMessage(result);
});
