import { EofError, TimeoutError } from './errors.js';

/** A receive that ran out of time or input: the end of a "whatever comes" read, not a failure. */
export function isQuiet(err: unknown): boolean {
  return err instanceof TimeoutError || err instanceof EofError;
}

/**
 * pwntools' recvrepeat over a tube's `recv`: every chunk until `ms` have passed or the input
 * ended. Any other failure (a reset) puts the bytes back with `unget` and is rethrown, so nothing
 * received is lost.
 */
export async function receiveRepeat(
  recv: (timeoutMs: number) => Promise<Buffer>,
  unget: (bytes: Buffer) => void,
  ms: number,
): Promise<Buffer> {
  const deadline = performance.now() + ms;
  const chunks: Buffer[] = [];
  try {
    for (;;) chunks.push(await recv(Math.max(0, deadline - performance.now())));
  } catch (err) {
    if (!isQuiet(err)) {
      unget(Buffer.concat(chunks));
      throw err;
    }
  }
  return Buffer.concat(chunks);
}
