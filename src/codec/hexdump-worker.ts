import { parentPort, workerData } from 'node:worker_threads';
import { HexDumper } from './hexdump.js';
import { type DumpSetup, type DumpTask, formatBlock } from './hexdump-worker-task.js';

/**
 * A worker thread of a parallel hex dump (see hexdump-parallel.ts): formats the blocks it is
 * sent in its line writer's memory, which it shares with the main thread (hexdump-worker-task.ts),
 * and says how much it wrote. Messages carry only numbers.
 */

const { options, memory, inputBytes, outputBytes, slots } = workerData as DumpSetup;
const { dumper, inputs, outputs } = HexDumper.withBuffers(options, inputBytes, slots, memory, outputBytes);

parentPort?.on('message', (task: DumpTask) => {
  parentPort?.postMessage(formatBlock(dumper, inputs, outputs, task));
});
// Blocks come once the main thread knows this thread can take them.
parentPort?.postMessage('ready');
