import { UsageError } from '../errors.js';
import { DEFAULT_ENCODING, encodeText } from './text.js';

/**
 * What a person types for bytes, parsed the same way by the REPL, scripts and the CLI:
 * hex in the usual spellings, and text with C-style escapes. Errors name the column.
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

/** 1-based column of a UTF-16 index, counted in characters as the user sees them. */
function columnAt(text: string, index: number): number {
  return Array.from(text.slice(0, index)).length + 1;
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

const SIMPLE_ESCAPES: Record<string, string> = {
  r: '\r',
  n: '\n',
  t: '\t',
  '0': '\0',
  '\\': '\\',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  f: '\f',
  v: '\v',
  '"': '"',
  "'": "'",
};

/**
 * Turns typed text into bytes: characters are encoded in `encoding`, escapes `\r \n \t \0 \\`
 * (and `\a \b \e \f \v \" \'`) and `\u{1F600}` / `\u00e9` are characters too, while `\xNN` is
 * always that raw byte, whatever the encoding.
 */
export function parseEscapedText(text: string, encoding: string = DEFAULT_ENCODING): Buffer {
  const parts: Buffer[] = [];
  let pending = '';
  const raw: number[] = [];
  const flushText = () => {
    if (pending) parts.push(encodeText(pending, encoding));
    pending = '';
  };
  const flushRaw = () => {
    if (raw.length) parts.push(Buffer.from(raw));
    raw.length = 0;
  };
  let i = 0;
  while (i < text.length) {
    const bs = text.indexOf('\\', i);
    const literalEnd = bs === -1 ? text.length : bs;
    if (literalEnd > i) {
      flushRaw();
      pending += text.slice(i, literalEnd);
    }
    if (bs === -1) break;
    const kind = text[bs + 1];
    if (kind === undefined)
      throw new UsageError(`lone '\\' at column ${columnAt(text, bs)} (write \\\\ for a backslash)`);
    if (kind === 'x' || kind === 'X') {
      const hi = hexValue(text.charCodeAt(bs + 2));
      const lo = hexValue(text.charCodeAt(bs + 3));
      if (hi < 0 || lo < 0)
        throw new UsageError(
          `bad escape at column ${columnAt(text, bs)}: '${text.slice(bs, bs + 4)}' (\\x takes two hex digits, e.g. \\x0a)`,
        );
      flushText();
      raw.push((hi << 4) | lo);
      i = bs + 4;
      continue;
    }
    if (kind === 'u') {
      const { cp, end } = parseUnicodeEscape(text, bs);
      flushRaw();
      pending += String.fromCodePoint(cp);
      i = end;
      continue;
    }
    const simple = SIMPLE_ESCAPES[kind];
    if (simple === undefined) {
      const ch = String.fromCodePoint(text.codePointAt(bs + 1)!);
      throw new UsageError(
        `unknown escape at column ${columnAt(text, bs)}: '\\${ch}' (known: \\r \\n \\t \\0 \\\\ \\xNN \\u{...})`,
      );
    }
    flushRaw();
    pending += simple;
    i = bs + 2;
  }
  flushText();
  flushRaw();
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

function parseUnicodeEscape(text: string, bs: number): { cp: number; end: number } {
  const bad = (why: string) => new UsageError(`bad escape at column ${columnAt(text, bs)}: ${why}`);
  let digits: string;
  let end: number;
  if (text[bs + 2] === '{') {
    const close = text.indexOf('}', bs + 3);
    if (close === -1) throw bad(`'\\u{' has no closing '}'`);
    digits = text.slice(bs + 3, close);
    end = close + 1;
    if (!/^[0-9a-fA-F]{1,6}$/.test(digits)) throw bad(`'\\u{${digits}}' needs 1 to 6 hex digits`);
  } else {
    digits = text.slice(bs + 2, bs + 6);
    end = bs + 6;
    if (!/^[0-9a-fA-F]{4}$/.test(digits)) throw bad(`'\\u${digits}' needs four hex digits or \\u{...}`);
  }
  const cp = Number.parseInt(digits, 16);
  if (cp > 0x10ffff) throw bad(`U+${digits.toUpperCase()} is beyond U+10FFFF`);
  if (cp >= 0xd800 && cp <= 0xdfff) throw bad(`U+${digits.toUpperCase()} is a surrogate, not a character`);
  return { cp, end };
}

/**
 * The inverse of `parseEscapedText` for display: printable ASCII as is, `\r \n \t \0 \\` by name,
 * every other byte as `\xNN`. Round-trips exactly for any encoding that keeps ASCII as ASCII.
 */
export function escapeBytes(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x5c) out += '\\\\';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else if (b === 0x0d) out += '\\r';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x09) out += '\\t';
    // `\0` followed by a digit would still parse right, but reads as octal to a C programmer.
    else if (b === 0 && !(bytes[i + 1]! >= 0x30 && bytes[i + 1]! <= 0x39)) out += '\\0';
    else out += `\\x${BYTE_HEX[b]}`;
  }
  return out;
}
