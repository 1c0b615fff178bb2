import type { HexDumper } from './hexdump.js';
import type { KernelMemory } from './hexdump-kernel.js';
import type { HexDumpOptions } from './hexdump-layout.js';

/**
 * What a thread of a parallel hex dump (hexdump-parallel.ts) is given and does: a block with a
 * little context before it, in an input slot of its line writer's memory, formatted into the
 * slot's output buffer. The worker (hexdump-worker.ts) and the main thread both do it.
 */

export interface DumpSetup {
  options: HexDumpOptions;
  /** The memory of the thread's line writer, made by the main thread with the slots in it. */
  memory: KernelMemory;
  /** Bytes of each slot's input and output buffers, and how many slots. */
  inputBytes: number;
  outputBytes: number;
  slots: number;
}

export interface DumpTask {
  id: number;
  /** The slot whose input holds the block, and whose output takes its text. */
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

export function formatBlock(
  dumper: HexDumper,
  inputs: Buffer[],
  outputs: Buffer[],
  task: DumpTask,
): DumpResult {
  const bytes = inputs[task.slot]!.subarray(0, task.length);
  dumper.resume(bytes, task.contextLength, task.offset);
  const { written, consumed } = dumper.formatInto(
    bytes.subarray(task.contextLength),
    task.final,
    outputs[task.slot]!,
  );
  return { id: task.id, slot: task.slot, written, consumed };
}
