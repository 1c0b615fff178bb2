import { UsageError } from '../errors.js';
import { parseEscapes } from './escapes.js';
import { parseHex } from './input.js';
import { compile, type Endian, type Struct, type StructValue } from './struct.js';
import { DEFAULT_ENCODING } from './text.js';

/**
 * The value syntax of `sockrepl pack` and `/pack`: each word typed on a command line becomes
 * the value its format code needs. Integers are exact at any size, floats are read as written,
 * bytes are text with escapes or `hex:...`.
 */

export interface PackValueOptions {
  /** Byte order for a format without an order character (default big, network order). */
  endian?: Endian;
  /** Encoding of text given for `s`, `p` and `c` (default utf8). */
  encoding?: string;
}

const INT_LITERAL =
  /^([+-]?)(0x[0-9a-f]+(?:_?[0-9a-f]+)*|0o[0-7]+(?:_?[0-7]+)*|0b[01]+(?:_?[01]+)*|\d+(?:_?\d+)*)$/i;
const FLOAT_LITERAL = /^[+-]?(?:\d+(?:_?\d+)*(?:\.(?:\d+(?:_?\d+)*)?)?|\.\d+(?:_?\d+)*)(?:e[+-]?\d+)?$/i;

/** `42`, `-7`, `0xdeadbeef`, `0o17`, `0b1010`, `1_000_000` → an exact BigInt; anything else → undefined. */
export function parseIntegerLiteral(text: string): bigint | undefined {
  const m = INT_LITERAL.exec(text.trim());
  if (!m) return undefined;
  const digits = m[2]!.replace(/_/g, '');
  // BigInt reads 0x/0o/0b prefixes but not a leading zero as octal, which is what we want.
  const magnitude = BigInt(digits);
  return m[1] === '-' ? -magnitude : magnitude;
}

/** A float as written: `1.5`, `-2e-3`, `.5`, `7`, `0x10`, `inf`, `-infinity`, `nan`. */
export function parseFloatLiteral(text: string): number | undefined {
  const t = text.trim();
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(t);
  if (special) {
    if (special[2]!.toLowerCase() === 'nan') return Number.NaN;
    return special[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (FLOAT_LITERAL.test(t)) return Number(t.replace(/_/g, ''));
  const int = parseIntegerLiteral(t);
  return int === undefined ? undefined : Number(int);
}

/** Bytes as `hex:00ff` (any spelling `parseHex` takes) or as text with escapes (`abc\x00`). */
export function parseBytesLiteral(text: string, encoding: string = DEFAULT_ENCODING): Buffer {
  if (/^hex:/i.test(text)) return parseHex(text.slice(4));
  return parseEscapes(text, 'text', encoding);
}

function describe(n: number, text: string, code: string): string {
  return `value ${n} ('${text}') for '${code}'`;
}

/** Parses one typed value for one format code. */
export function parsePackValue(
  text: string,
  code: string,
  n: number,
  encoding: string = DEFAULT_ENCODING,
): StructValue {
  switch (code) {
    case 'c': {
      const bytes = wrap(() => parseBytesLiteral(text, encoding), n, code);
      if (bytes.length !== 1)
        throw new UsageError(`${describe(n, text, code)} must be exactly one byte, got ${bytes.length}`);
      return bytes;
    }
    case 's':
    case 'p':
      return wrap(() => parseBytesLiteral(text, encoding), n, code);
    case '?': {
      const t = text.trim().toLowerCase();
      if (t === 'true' || t === '1') return true;
      if (t === 'false' || t === '0') return false;
      throw new UsageError(`${describe(n, text, code)} must be true, false, 1 or 0`);
    }
    case 'e':
    case 'f':
    case 'd': {
      const x = parseFloatLiteral(text);
      if (x === undefined) throw new UsageError(`${describe(n, text, code)} is not a number`);
      return x;
    }
    default: {
      const x = parseIntegerLiteral(text);
      if (x === undefined)
        throw new UsageError(`${describe(n, text, code)} is not an integer (use decimal or 0x hex)`);
      return x >= BigInt(Number.MIN_SAFE_INTEGER) && x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x;
    }
  }
}

function wrap<T>(fn: () => T, n: number, code: string): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(`value ${n} for '${code}': ${err.message}`);
    throw err;
  }
}

/** Parses typed values for a compiled format, checking the count first. */
export function parsePackValues(struct: Struct, args: readonly string[], encoding?: string): StructValue[] {
  const fields = struct.fields();
  if (args.length !== fields.length) {
    const takes = fields.length === 1 ? '1 value' : `${fields.length} values`;
    throw new UsageError(`format '${struct.format}' takes ${takes}, got ${args.length}`);
  }
  return fields.map((f, i) => parsePackValue(args[i]!, f.code, i + 1, encoding));
}

/** `pack >HI 1 0x10` in one call: compile, parse the typed values, pack. */
export function packValues(format: string, args: readonly string[], options: PackValueOptions = {}): Buffer {
  const struct = compile(format, { endian: options.endian ?? 'be' });
  return struct.pack(...parsePackValues(struct, args, options.encoding));
}
