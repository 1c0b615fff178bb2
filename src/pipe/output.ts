import { writeSync } from 'node:fs';
import type { Writable } from 'node:stream';

/**
 * Standard output for pipe mode. Chunks may be borrowed views of a reused read buffer, so a write
 * must be finished with them when it returns: to the process's own stdout that is a synchronous
 * write(2) on fd 1, as nc does; a full non-blocking pipe (EAGAIN) falls back to a copy queued on the
 * stream, and `write` returns false until it drains. Other streams (tests) always get copies.
 * When the reader goes away (EPIPE), `onClosed` runs once and further output is dropped.
 */
export class PipeOutput {
  private readonly fd: number | undefined;
  private closed = false;
  private drainWaiters: (() => void)[] | undefined;

  constructor(
    private readonly stream: Writable,
    private readonly onClosed: () => void,
  ) {
    this.fd = stream === process.stdout ? 1 : undefined;
    stream.on('error', (err: NodeJS.ErrnoException) => this.failed(err.code ?? err.message));
  }

  /** Writes the bytes; false means wait for `onDrain` before writing more. */
  write(chunk: Buffer): boolean {
    if (this.closed) return true;
    if (this.fd === undefined || this.stream.writableLength > 0) return this.stream.write(Buffer.from(chunk));
    let at = 0;
    try {
      while (at < chunk.length) at += writeSync(this.fd, chunk, at, chunk.length - at);
      return true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') return this.stream.write(Buffer.from(chunk.subarray(at)));
      this.failed(code ?? (err as Error).message);
      return true;
    }
  }

  /**
   * Runs `fn` once the stream drains. Every client of `listen -k` that found standard output full
   * waits here: they share one 'drain' listener, so a crowd of them raises no listener warning.
   */
  onDrain(fn: () => void): void {
    if (!this.drainWaiters) {
      const waiters: (() => void)[] = [];
      this.drainWaiters = waiters;
      this.stream.once('drain', () => {
        this.drainWaiters = undefined;
        for (const w of waiters) w();
      });
    }
    this.drainWaiters.push(fn);
  }

  /** A write to standard output failed with `code`; also for writes made outside this object. */
  failed(code: string): void {
    if (this.closed) return;
    this.closed = true;
    if (code !== 'EPIPE') process.stderr.write(`sockrepl: write to standard output: ${code}\n`);
    this.onClosed();
  }
}
