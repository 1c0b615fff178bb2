import type { Writable } from 'node:stream';

/**
 * Diagnostics are best-effort. Standard error, a `-x` dump file, a recording or a capture may fail
 * under sockrepl's feet: stderr closed (`2>&-`), a pipe whose reader has exited (EPIPE), a full
 * disk. None of that may end the program, stop the data path or change the exit code, as ncat
 * keeps serving when its messages cannot be written. A stream that fails is dropped, once, and
 * writes to it are skipped from then on; `onDrop` may say so elsewhere (never on the stream
 * itself).
 */

const guarded = new WeakSet<Writable>();
const dropped = new WeakSet<Writable>();

/** Makes a failed write to `stream` harmless; returns the stream. Safe to call twice. */
export function bestEffort<T extends Writable>(stream: T, onDrop?: (err: Error) => void): T {
  if (guarded.has(stream)) return stream;
  guarded.add(stream);
  stream.on('error', (err: Error) => {
    if (dropped.has(stream)) return;
    dropped.add(stream);
    onDrop?.(err);
  });
  return stream;
}

/** Whether a best-effort stream has failed and is being skipped. */
export function isDropped(stream: Writable): boolean {
  return dropped.has(stream) || stream.destroyed;
}

/**
 * Writes to a best-effort stream: skipped once it has failed, and a synchronous throw (a stream
 * that writes in place) drops it the same way an `error` event does. `done` runs once, when the
 * chunk is written or will never be.
 */
export function writeBestEffort(stream: Writable, chunk: string | Uint8Array, done?: () => void): void {
  let called = false;
  const once = () => {
    if (called || !done) return;
    called = true;
    done();
  };
  if (isDropped(stream)) {
    once();
    return;
  }
  try {
    stream.write(chunk, done && once);
  } catch (err) {
    once();
    if (guarded.has(stream)) stream.emit('error', err);
    else dropped.add(stream);
  }
}

/** The `code` of a failed write (EPIPE, ENOSPC...), or its message. */
export function failureCode(err: unknown): string {
  const e = err as NodeJS.ErrnoException | undefined;
  return typeof e?.code === 'string' ? e.code : (e?.message ?? String(err));
}
