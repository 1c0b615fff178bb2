import { bytesLiteral } from '../codec/bytes-literal.js';
import { formatDuration } from '../codec/units.js';
import { EXIT, SockreplError } from '../errors.js';

/**
 * An expectation that failed: exit code 3. Every one says what was expected and carries the
 * bytes received and not consumed, which stay buffered in the tube for a later call.
 */
export class ExpectError extends SockreplError {
  /** What was waited for, as a script would write it: `/^OK (\d+)/`, `"READY\n"`, `eof`, `6 bytes`. */
  readonly expected: string;
  /** The bytes that had arrived and were not consumed when the call gave up (a copy). */
  readonly received: Buffer;
  readonly elapsedMs: number;

  constructor(
    message: string,
    code: string,
    details: { expected: string; received: Uint8Array; elapsedMs: number },
    options?: { cause?: unknown },
  ) {
    super(message, code, EXIT.expectFailed, options);
    this.expected = details.expected;
    this.received = Buffer.from(details.received);
    this.elapsedMs = details.elapsedMs;
  }
}

/** The whole call's timeout passed before the pattern arrived. */
export class TimeoutError extends ExpectError {
  readonly timeoutMs: number;

  constructor(details: {
    expected: string;
    received: Uint8Array;
    elapsedMs: number;
    timeoutMs: number;
    encoding?: string;
  }) {
    super(
      `timed out after ${formatDuration(details.timeoutMs)} waiting for ${details.expected}; ${receivedSummary(details.received, details.encoding)}`,
      'ETIMEOUT',
      details,
    );
    this.timeoutMs = details.timeoutMs;
  }
}

/** The peer closed its side (or we closed ours) before the pattern arrived. */
export class EofError extends ExpectError {
  /** How the input ended: `the peer closed the connection (EOF)`, `... closed on this side`. */
  readonly how: string;

  constructor(details: {
    expected: string;
    received: Uint8Array;
    elapsedMs: number;
    how?: string;
    encoding?: string;
  }) {
    super(
      `${details.how ?? 'the peer closed the connection (EOF)'} while waiting for ${details.expected}; ${receivedSummary(details.received, details.encoding)}`,
      'EEOF',
      details,
    );
    this.how = details.how ?? 'the peer closed the connection (EOF)';
  }
}

/** The caller gave up waiting (Ctrl-C at the prompt, a script stopping): what came stays buffered. */
export class CancelledError extends ExpectError {
  constructor(details: { expected: string; received: Uint8Array; elapsedMs: number }) {
    super(`cancelled while waiting for ${details.expected}`, 'ECANCELED', details);
  }
}

/** How much preview fits in a one-line message: the last bytes, as they arrived. */
const PREVIEW_BYTES = 64;

/** `received 12 bytes: "ERR busy\r\n"`, or the last 64 of many. */
export function receivedSummary(received: Uint8Array, encoding = 'utf8'): string {
  if (received.length === 0) return 'nothing was received';
  const n = received.length;
  const noun = `${n} byte${n === 1 ? '' : 's'}`;
  if (n <= PREVIEW_BYTES) return `received ${noun}: ${bytesLiteral(received, { encoding })}`;
  let start = n - PREVIEW_BYTES;
  // Start on a whole UTF-8 character, so that the tail still reads as text.
  if (/^utf-?8$/i.test(encoding))
    while (start < n - PREVIEW_BYTES + 3 && (received[start]! & 0xc0) === 0x80) start++;
  return `received ${noun}, the last ${n - start}: ${bytesLiteral(received.subarray(start), { encoding })}`;
}
