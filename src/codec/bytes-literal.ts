import { escapeText, isControl } from './escapes.js';
import { baseEncoding, decodeText, encodeText } from './text.js';

/**
 * Bytes written the way a script would write them: `"OK 42\r\n"` when they are text in the
 * encoding, `hex:"de ad be ef"` when they are not. Error messages, transcripts and recorded
 * scripts all use it, so what a failure shows can be pasted back into a script.
 */

/** Share of control or undecodable characters above which bytes are shown as hex. */
const MAX_BINARY_SHARE = 0.1;

export interface LiteralOptions {
  encoding?: string;
  /** At most this many bytes are shown; the rest is summarised as `… (N more bytes)`. */
  max?: number;
}

export function bytesLiteral(bytes: Uint8Array, options: LiteralOptions = {}): string {
  const encoding = options.encoding ?? 'utf8';
  const max = options.max ?? Number.POSITIVE_INFINITY;
  const shown = bytes.length > max ? bytes.subarray(0, max) : bytes;
  const more = bytes.length - shown.length;
  const suffix = more > 0 ? ` … (${more} more byte${more === 1 ? '' : 's'})` : '';
  return (textLiteral(shown, encoding) ?? hexLiteral(shown)) + suffix;
}

/** `hex:"de ad be ef"`. */
export function hexLiteral(bytes: Uint8Array): string {
  return `hex:"${spacedHex(bytes)}"`;
}

/** `de ad be ef`. */
export function spacedHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += (i ? ' ' : '') + bytes[i]!.toString(16).padStart(2, '0');
  return out;
}

/**
 * The bytes as a double-quoted script string, or undefined when they are not text: they do not
 * decode and re-encode to themselves, or too many are control characters.
 */
export function textLiteral(bytes: Uint8Array, encoding = 'utf8'): string | undefined {
  if (bytes.length === 0) return '""';
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  let text: string;
  try {
    if (encodingFacts(encoding).utf8) {
      // The hot path of every transcript line: any invalid sequence fails the round trip anyway.
      text = buf.toString('utf8');
      if (Buffer.byteLength(text, 'utf8') !== buf.length || !buf.equals(Buffer.from(text, 'utf8')))
        return undefined;
    } else {
      text = decodeText(bytes, encoding);
      if (!buf.equals(encodeText(text, encoding))) return undefined;
    }
  } catch {
    return undefined;
  }
  let binary = 0;
  for (const ch of text) if (isControl(ch) && !'\r\n\t'.includes(ch)) binary++;
  if (binary > Math.max(1, text.length * MAX_BINARY_SHARE)) return undefined;
  // `\xNN` is a raw byte in a script; it stands for a control character only where that
  // character is one byte with the same value (ASCII-compatible encodings).
  return quoteText(text, encodingFacts(encoding).asciiCompatible);
}

/** True where a control character is one byte of its own value, so `\xNN` can stand for it. */
export function isAsciiCompatible(encoding: string): boolean {
  return encodingFacts(encoding).asciiCompatible;
}

const FACTS = new Map<string, { asciiCompatible: boolean; utf8: boolean }>();

/** What the literals need to know about an encoding, worked out once per name. */
function encodingFacts(encoding: string): { asciiCompatible: boolean; utf8: boolean } {
  let facts = FACTS.get(encoding);
  if (!facts) {
    facts = {
      asciiCompatible: encodeText('\x01', encoding).equals(Buffer.from([1])),
      utf8: baseEncoding(encoding) === 'utf8',
    };
    if (FACTS.size < 64) FACTS.set(encoding, facts);
  }
  return facts;
}

/**
 * Text as a double-quoted script string (the escape grammar's script dialect). `byteEscapes`:
 * write control characters as `\xNN` (right only where each is one byte of that value, as in
 * ASCII-compatible encodings).
 */
export function quoteText(text: string, byteEscapes = true): string {
  return `"${escapeText(text, 'script', byteEscapes)}"`;
}
