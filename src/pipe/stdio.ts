import type { Readable, Writable } from 'node:stream';
import { bestEffort } from '../best-effort.js';

/** The standard streams pipe mode works on; tests may pass their own. */
export interface PipeIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

export function processIo(): PipeIo {
  // Standard error carries only messages: a failed write there must not stop the data path.
  return { stdin: process.stdin, stdout: process.stdout, stderr: bestEffort(process.stderr) };
}

/** Resolves once everything written so far has left the stream's buffer. */
export function drained(stream: Writable): Promise<void> {
  if (stream.writableLength === 0 || stream.destroyed || stream.writableEnded) return Promise.resolve();
  // 'drain' comes only after a write that returned false: below the high-water mark it never
  // would. An empty write's callback runs once every write before it is done, or on failure.
  return new Promise((resolve) => {
    stream.write(Buffer.alloc(0), () => resolve());
  });
}
