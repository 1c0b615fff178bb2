import { spacedHex, textLiteral } from '../codec/bytes-literal.js';
import { decodeText } from '../codec/text.js';
import { formatDuration } from '../codec/units.js';

/**
 * How a recorded session is written as a script: pure functions from bytes to `.srs` lines.
 * Sent bytes become one `send "text"` (or `hex "de ad"`) per write, so datagram and write
 * boundaries replay as they happened. Received bytes become `expect` lines for exactly those bytes,
 * cut at line ends (text) or every 32 bytes (binary): each expect consumes what it matched, so the
 * pieces match in order however the replayed reply is chunked.
 */

/** Binary received bytes per `expect hex:` line. */
export const HEX_EXPECT_BYTES = 32;
/** Text received per `expect` line at most, when no line end comes sooner. */
export const TEXT_EXPECT_CHARS = 200;

/** The line that sends these bytes. */
export function sendLine(bytes: Uint8Array, encoding: string): string {
  const text = textLiteral(bytes, encoding);
  return text !== undefined ? `send ${text}` : `hex "${spacedHex(bytes)}"`;
}

/** The expect lines that match these received bytes in order; `timeout` adds an explicit one. */
export function expectLines(bytes: Uint8Array, encoding: string, timeoutMs?: number): string[] {
  const suffix = timeoutMs === undefined ? '' : ` ${formatDuration(timeoutMs)}`;
  return pieces(bytes, encoding).map((p) => `expect ${p}${suffix}`);
}

/** The received bytes as pattern literals, cut where a person would cut them. */
function pieces(bytes: Uint8Array, encoding: string): string[] {
  const out: string[] = [];
  let start = 0;
  while (start < bytes.length) {
    const end = textPieceEnd(bytes, start, encoding);
    if (end !== undefined) {
      out.push(textLiteral(bytes.subarray(start, end), encoding)!);
      start = end;
      continue;
    }
    // Not text from here: one hex piece, up to where text resumes or the piece is full.
    let stop = Math.min(bytes.length, start + HEX_EXPECT_BYTES);
    for (let k = start + 1; k < stop; k++) {
      if (startsLine(bytes, k) && textPieceEnd(bytes, k, encoding) !== undefined) {
        stop = k;
        break;
      }
    }
    out.push(`hex:"${spacedHex(bytes.subarray(start, stop))}"`);
    start = stop;
  }
  return out;
}

/** True at the start of the bytes or just after a line end. */
function startsLine(bytes: Uint8Array, k: number): boolean {
  return k === 0 || bytes[k - 1] === 0x0a;
}

/**
 * Where a text piece starting at `start` ends: after the next line end (or at a length cap or the
 * end of the bytes), when that stretch is text in the encoding; undefined when it is not.
 */
function textPieceEnd(bytes: Uint8Array, start: number, encoding: string): number | undefined {
  const nl = bytes.indexOf(0x0a, start);
  let end = nl < 0 ? bytes.length : nl + 1;
  if (end - start > TEXT_EXPECT_CHARS) end = start + TEXT_EXPECT_CHARS;
  // A cut inside a multi-byte character is not text: back off to a whole character.
  for (let e = end; e > start && e > end - 4; e--) {
    if (isPlainText(bytes.subarray(start, e), encoding)) return e;
  }
  return undefined;
}

/** Control characters other than tab and line ends, and undecodable bytes: not for a text pattern. */
const NOT_PLAIN = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]/;

/** Bytes that read as text, with no control characters but \t \r \n, and encode back to themselves. */
export function isPlainText(bytes: Uint8Array, encoding: string): boolean {
  return textLiteral(bytes, encoding) !== undefined && !NOT_PLAIN.test(decodeText(bytes, encoding));
}

/** `[::1]`-free host text a script line accepts (IPv6 addresses are written bare). */
export function hostWord(host: string): string {
  return /^[A-Za-z0-9_.:%-]+$/.test(host) ? host : JSON.stringify(host);
}

/** One word of a script line: bare when plain, else a quoted literal. */
export function scriptWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : (textLiteral(Buffer.from(text)) ?? JSON.stringify(text));
}

/** `name` or `name=value` of a connect line, the value quoted when it needs it (`unix="/a b"`). */
export function scriptOptionWord(word: string): string {
  const eq = word.indexOf('=');
  return eq < 0 ? word : `${word.slice(0, eq + 1)}${scriptWord(word.slice(eq + 1))}`;
}

/** `spawn [pty pty-size=WxH] program args...`: the line that starts a recorded program again. */
export function spawnLine(argv: readonly string[], pty?: { cols: number; rows: number }): string {
  const terminal = pty ? ` pty pty-size=${pty.cols}x${pty.rows}` : '';
  return `spawn${terminal} ${argv.map(scriptWord).join(' ')}`;
}
