import { UsageError } from '../errors.js';

/** The escapes of `/send` and of byte options in specs, as in C and Python byte strings. */
const SIMPLE: Readonly<Record<string, number>> = {
  '0': 0x00,
  a: 0x07,
  b: 0x08,
  t: 0x09,
  n: 0x0a,
  v: 0x0b,
  f: 0x0c,
  r: 0x0d,
  e: 0x1b,
  '\\': 0x5c,
  ',': 0x2c,
  '=': 0x3d,
  ' ': 0x20,
};

const encoder = new TextEncoder();

/**
 * Turns text with escapes (`\r\n`, `\x00`, `\\`, `\,`) into bytes; other characters are UTF-8.
 * Throws a UsageError naming the bad escape; `what` prefixes the message.
 */
export function parseEscapedBytes(text: string, what = 'bytes'): Uint8Array {
  const out: number[] = [];
  let literalStart = 0;
  const flushLiteral = (end: number) => {
    if (end > literalStart) for (const b of encoder.encode(text.slice(literalStart, end))) out.push(b);
  };
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '\\') continue;
    flushLiteral(i);
    const c = text[i + 1];
    if (c === undefined)
      throw new UsageError(`${what}: '${text}' ends with a lone backslash (write \\\\ for one)`);
    if (c === 'x' || c === 'X') {
      const hex = text.slice(i + 2, i + 4);
      if (!/^[0-9a-fA-F]{2}$/.test(hex))
        throw new UsageError(`${what}: '\\x${hex}' in '${text}' needs two hex digits, e.g. \\x0a`);
      out.push(Number.parseInt(hex, 16));
      i += 3;
    } else {
      const byte = SIMPLE[c];
      if (byte === undefined)
        throw new UsageError(
          `${what}: unknown escape '\\${c}' in '${text}' (known: \\r \\n \\t \\0 \\xNN \\\\ \\, \\e \\a \\b \\f \\v)`,
        );
      out.push(byte);
      i += 1;
    }
    literalStart = i + 1;
  }
  flushLiteral(text.length);
  return Uint8Array.from(out);
}

const NAMED: Readonly<Record<number, string>> = {
  0: '\\0',
  9: '\\t',
  10: '\\n',
  13: '\\r',
  27: '\\e',
  92: '\\\\',
  44: '\\,',
};

/**
 * The inverse, for help text and messages: printable ASCII as is, the rest escaped. A final
 * space is escaped too, as a spec's trailing whitespace is trimmed.
 */
export function formatEscapedBytes(bytes: Uint8Array): string {
  let s = '';
  bytes.forEach((b, i) => {
    const named = NAMED[b];
    if (named !== undefined) s += named;
    else if (b >= 0x20 && b < 0x7f && !(b === 0x20 && i === bytes.length - 1)) s += String.fromCharCode(b);
    else s += `\\x${b.toString(16).padStart(2, '0')}`;
  });
  return s;
}
