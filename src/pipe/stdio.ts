import type { Readable, Writable } from 'node:stream';

/** The standard streams pipe mode works on; tests may pass their own. */
export interface PipeIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

export function processIo(): PipeIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
}

/** Resolves once everything written so far has left the stream's buffer. */
export function drained(stream: Writable): Promise<void> {
  if (stream.writableLength === 0 || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}
