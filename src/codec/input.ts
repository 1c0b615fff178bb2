import { UsageError } from '../errors.js';
import { columnAt } from './escapes.js';

/**
 * Hex as a person types it, parsed the same way by the REPL, scripts and the CLI (text with
 * escapes is escapes.ts). Errors name the column.
 */

const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX_VALUE[0x30 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX_VALUE[0x41 + i] = 10 + i;
  HEX_VALUE[0x61 + i] = 10 + i;
}

function hexValue(code: number): number {
  return code < 128 ? HEX_VALUE[code]! : -1;
}

/** Characters allowed between hex bytes: `de ad`, `de:ad`, `de-ad`, `de,ad`. */
function isHexSeparator(ch: string): boolean {
  return ch === ':' || ch === ',' || ch === '-' || /\s/.test(ch);
}

/** A character quoted for an error message, escaped when it would not be visible. */
export function showChar(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  if (ch === "'") return `"'"`;
  if (cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp < 0xa0))
    return `'\\x${cp.toString(16).padStart(2, '0')}'`;
  return `'${ch}'`;
}

/**
 * Parses hex bytes written as `de ad be ef`, `deadbeef`, `0xde 0xad`, `0xdeadbeef`, `\xde\xad`,
 * `de:ad` or `de-ad`. A prefixed single digit (`0x1`) is one byte; any other run of digits must be
 * whole bytes.
 */
export function parseHex(text: string): Buffer {
  const out = Buffer.allocUnsafe(text.length >> 1);
  let n = 0;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (isHexSeparator(ch)) {
      i++;
      continue;
    }
    let prefixed = false;
    if ((ch === '0' || ch === '\\') && (text[i + 1] === 'x' || text[i + 1] === 'X')) {
      prefixed = true;
      i += 2;
      if (hexValue(text.charCodeAt(i)) < 0) throw badHexDigit(text, i, `${ch}x`);
    }
    const start = i;
    while (i < text.length && hexValue(text.charCodeAt(i)) >= 0) i++;
    if (i === start) throw badHexDigit(text, i);
    // A run of digits must end at a separator, the next prefix, or the end.
    if (i < text.length && !isHexSeparator(text[i]!) && text[i] !== '\\') throw badHexDigit(text, i);
    const digits = i - start;
    if (prefixed && digits === 1) {
      out[n++] = hexValue(text.charCodeAt(start));
    } else if (digits % 2 === 1) {
      throw new UsageError(
        `odd number of hex digits at column ${columnAt(text, start)}: '${text.slice(start, i)}' (write whole bytes, e.g. 0${text[i - 1]})`,
      );
    } else {
      for (let j = start; j < i; j += 2)
        out[n++] = (hexValue(text.charCodeAt(j)) << 4) | hexValue(text.charCodeAt(j + 1));
    }
  }
  return out.subarray(0, n);
}

function badHexDigit(text: string, index: number, after?: string): UsageError {
  if (index >= text.length) return new UsageError(`bad hex: expected hex digits after '${after}' at the end`);
  const ch = String.fromCodePoint(text.codePointAt(index)!);
  const where = after ? ` after '${after}'` : '';
  return new UsageError(`bad hex at column ${columnAt(text, index)}${where}: ${showChar(ch)}`);
}

const HEX_DIGITS = '0123456789abcdef';
const BYTE_HEX = Array.from({ length: 256 }, (_, b) => HEX_DIGITS[b >> 4]! + HEX_DIGITS[b & 15]!);

/** Lowercase hex, optionally with a separator between bytes (`formatHex(b, ' ')` → `de ad`). */
export function formatHex(bytes: Uint8Array, separator = ''): string {
  if (!separator) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  const parts = new Array<string>(bytes.length);
  for (let i = 0; i < bytes.length; i++) parts[i] = BYTE_HEX[bytes[i]!]!;
  return parts.join(separator);
}
