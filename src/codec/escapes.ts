import { UsageError } from '../errors.js';
import { encodeText } from './text.js';

/**
 * The one backslash-escape grammar of sockrepl: `/send` and `/expect "..."` at the prompt, byte
 * options in plugin specs (`delim:\r\n`), and double-quoted strings in scripts all read escapes
 * here, with one meaning each:
 *
 *   \r \n \t \a \b \e \f \v \\          a character
 *   \u{1F600} \u00e9                     a character by code point
 *   \0  \xNN                             a raw byte, whatever the text encoding (\0 = \x00)
 *
 * Characters are encoded in the encoding the caller names (the session's: UTF-8, GBK, UTF-16...);
 * raw bytes are taken as they are. The dialects differ only in which punctuation a backslash may
 * protect, as each context uses different characters as delimiters:
 *
 *   text    \" \'            (`/send "..."`, `/expect "..."`)
 *   spec    \" \' \, \= \    (a spec's `,` and `=` separate options; its ends are trimmed)
 *   script  \" \' \$         (`$` starts a variable in a script string)
 *
 * formatEscapes / escapeText are the inverse: parsing what they write gives back the same bytes
 * or text in every dialect.
 */

export type EscapeDialect = 'text' | 'spec' | 'script';

/** Punctuation each dialect lets a backslash protect. */
const PROTECTED: Record<EscapeDialect, string> = { text: `"'`, spec: `"',= `, script: `"'$` };

const CHARACTERS: Readonly<Record<string, string>> = {
  r: '\r',
  n: '\n',
  t: '\t',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  f: '\f',
  v: '\v',
  '\\': '\\',
};

/** One escape read: a character (`text`) or a raw byte (`byte`), and where the text goes on. */
export type Escape =
  | { text: string; byte?: undefined; end: number }
  | { byte: number; text?: undefined; end: number };

/** A bad escape, with the index of its backslash so each caller can say where in its own terms. */
export class EscapeError extends UsageError {
  constructor(
    readonly index: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

const HEX_DIGIT = /^[0-9a-fA-F]$/;

/** The names a dialect knows, for an "unknown escape" message. */
function known(dialect: EscapeDialect): string {
  const punct = [...PROTECTED[dialect]].map((c) => (c === ' ' ? '\\ (space)' : `\\${c}`)).join(' ');
  return `\\r \\n \\t \\0 \\\\ \\xNN \\u{...} \\e \\a \\b \\f \\v ${punct}`;
}

/** Reads the escape whose backslash is at `at`. Throws an EscapeError saying what is wrong. */
export function readEscape(text: string, at: number, dialect: EscapeDialect): Escape {
  const c = text[at + 1];
  if (c === undefined) throw new EscapeError(at, `lone '\\' at the end (write \\\\ for a backslash)`);
  if (c === 'x' || c === 'X') {
    const hex = text.slice(at + 2, at + 4);
    if (hex.length < 2 || !HEX_DIGIT.test(hex[0]!) || !HEX_DIGIT.test(hex[1]!))
      throw new EscapeError(at, `'\\x${hex}' (\\x takes two hex digits, e.g. \\x0a)`);
    return { byte: Number.parseInt(hex, 16), end: at + 4 };
  }
  if (c === '0') return { byte: 0, end: at + 2 };
  if (c === 'u') return readUnicode(text, at);
  const ch = CHARACTERS[c] ?? (PROTECTED[dialect].includes(c) ? c : undefined);
  if (ch === undefined) {
    const shown = String.fromCodePoint(text.codePointAt(at + 1)!);
    throw new EscapeError(at, `unknown escape '\\${shown}' (known: ${known(dialect)})`);
  }
  return { text: ch, end: at + 2 };
}

function readUnicode(text: string, at: number): Escape {
  let digits: string;
  let end: number;
  if (text[at + 2] === '{') {
    const close = text.indexOf('}', at + 3);
    if (close === -1) throw new EscapeError(at, `'\\u{' has no closing '}'`);
    digits = text.slice(at + 3, close);
    end = close + 1;
    if (!/^[0-9a-fA-F]{1,6}$/.test(digits))
      throw new EscapeError(at, `'\\u{${digits}}' needs 1 to 6 hex digits`);
  } else {
    digits = text.slice(at + 2, at + 6);
    end = at + 6;
    if (!/^[0-9a-fA-F]{4}$/.test(digits))
      throw new EscapeError(at, `'\\u${digits}' needs four hex digits or \\u{...}`);
  }
  const cp = Number.parseInt(digits, 16);
  const name = `U+${digits.toUpperCase()}`;
  if (cp > 0x10ffff) throw new EscapeError(at, `${name} is beyond U+10FFFF`);
  if (cp >= 0xd800 && cp <= 0xdfff) throw new EscapeError(at, `${name} is a surrogate, not a character`);
  return { text: String.fromCodePoint(cp), end };
}

/** 1-based column of a UTF-16 index, counted in characters as the user sees them. */
export function columnAt(text: string, index: number): number {
  return Array.from(text.slice(0, index)).length + 1;
}

/**
 * Text with escapes → bytes: characters in `encoding`, `\0` and `\xNN` raw. Errors are
 * UsageErrors naming the column (`bad escape at column 3: unknown escape '\q' ...`).
 */
export function parseEscapes(text: string, dialect: EscapeDialect, encoding = 'utf8'): Buffer {
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
    let e: Escape;
    try {
      e = readEscape(text, bs, dialect);
    } catch (err) {
      if (err instanceof EscapeError)
        throw new UsageError(`bad escape at column ${columnAt(text, bs)}: ${err.reason}`);
      throw err;
    }
    if (e.byte !== undefined) {
      flushText();
      raw.push(e.byte);
    } else {
      flushRaw();
      pending += e.text;
    }
    i = e.end;
  }
  flushText();
  flushRaw();
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** By byte value: \n (10), \r (13), \t (9), \e (27), \\ (92). */
const NAMED_BYTES: Readonly<Record<number, string>> = {
  10: '\\n',
  13: '\\r',
  9: '\\t',
  27: '\\e',
  92: '\\\\',
};

/** True where printable ASCII is one byte of its own value, so it can be written as itself. */
const asciiCompatible = (encoding: string) =>
  encoding === 'utf8' || encodeText('\x01~', encoding).equals(Buffer.from([1, 0x7e]));

/**
 * Bytes → text that parseEscapes reads back to the same bytes in this dialect and encoding:
 * printable ASCII as is (protected punctuation escaped), `\r \n \t \e \\ \0` by name, every other
 * byte as `\xNN`. A space at either end is escaped in specs, whose ends are trimmed.
 */
export function formatEscapes(bytes: Uint8Array, dialect: EscapeDialect, encoding = 'utf8'): string {
  if (!asciiCompatible(encoding)) {
    let out = '';
    for (const b of bytes) out += `\\x${b.toString(16).padStart(2, '0')}`;
    return out;
  }
  const protect = PROTECTED[dialect];
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    const named = NAMED_BYTES[b];
    const ch = String.fromCharCode(b);
    if (named !== undefined) out += named;
    // `\0` before a digit would still read right, but looks octal to a C programmer.
    else if (b === 0) out += isDigit(bytes[i + 1]) ? '\\x00' : '\\0';
    else if (b === 0x20 && dialect === 'spec') out += i === 0 || i === bytes.length - 1 ? '\\ ' : ' ';
    else if (protect.includes(ch)) out += `\\${ch}`;
    else if (b > 0x20 && b < 0x7f) out += ch;
    else if (b === 0x20) out += ' ';
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return out;
}

const isDigit = (b: number | undefined) => b !== undefined && b >= 0x30 && b <= 0x39;

const NAMED_CHARS: Readonly<Record<string, string>> = {
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\x1b': '\\e',
  '\\': '\\\\',
};

/**
 * Text → escaped text whose characters parseEscapes reads back as the same text: control
 * characters escaped (`\xNN` when `byteEscapes`, which is right only where each is one byte of
 * its value, else `\u{...}`), protected punctuation escaped, the rest as is. `\xNN` is a raw byte:
 * it stands for a C0 control (below 0x80) only; a C1 control (U+0080-U+009F) is two bytes in
 * UTF-8, so it is always written `\u{...}`, which every encoding turns into its own bytes.
 */
export function escapeText(text: string, dialect: EscapeDialect, byteEscapes = true): string {
  const protect = PROTECTED[dialect];
  let out = '';
  for (const ch of text) {
    const named = NAMED_CHARS[ch];
    if (named !== undefined) out += named;
    else if (protect.includes(ch) && ch !== ' ') out += `\\${ch}`;
    else if (!isControl(ch)) out += ch;
    else {
      const cp = ch.codePointAt(0)!;
      out += byteEscapes && cp < 0x80 ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u{${cp.toString(16)}}`;
    }
  }
  if (dialect === 'spec') out = out.replace(/^ | $/g, '\\ ');
  return out;
}

/** Characters a reader would not see: C0 and C1 controls, line separators, the replacement character. */
export function isControl(ch: string): boolean {
  const cp = ch.codePointAt(0)!;
  return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp === 0xfffd || (cp >= 0x2028 && cp <= 0x2029);
}
