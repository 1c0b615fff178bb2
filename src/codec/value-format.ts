import { formatHex } from './input.js';
import type { StructValue } from './struct.js';

/**
 * How unpacked struct values are shown: Python's repr for people (`1`, `2.5`, `b'ab\x00'`,
 * `True`), and JSON for machines (exact integers as strings beyond 2^53, bytes as hex).
 */

/** Python's `repr(float)`: shortest round-trip digits, `2.0` not `2`, `1e-07` not `1e-7`. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (Object.is(x, -0)) return '-0.0';
  const abs = Math.abs(x);
  // Python switches to exponent form at 1e16 and below 1e-4; JS at 1e21 and 1e-7.
  if (abs >= 1e16 || abs < 1e-4) {
    const [mant, exp] = x.toExponential().split('e') as [string, string];
    const sign = exp.startsWith('-') ? '-' : '+';
    const digits = exp.replace(/^[+-]/, '').padStart(2, '0');
    return `${mant}e${sign}${digits}`;
  }
  const s = String(x);
  return Number.isInteger(x) ? `${s}.0` : s;
}

/** Python's `repr(bytes)`: `b'...'` with `\x..`, `\n`, `\r`, `\t` and escaped quotes. */
export function pyBytesRepr(bytes: Uint8Array): string {
  let hasSingle = false;
  let hasDouble = false;
  for (const b of bytes) {
    if (b === 0x27) hasSingle = true;
    if (b === 0x22) hasDouble = true;
  }
  const quote = hasSingle && !hasDouble ? '"' : "'";
  let out = `b${quote}`;
  for (const b of bytes) {
    if (b === 0x5c) out += '\\\\';
    else if (b === quote.charCodeAt(0)) out += `\\${quote}`;
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b === 0x09) out += '\\t';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return `${out}${quote}`;
}

/** One unpacked value as Python would print it. */
export function pyRepr(value: StructValue): string {
  if (value instanceof Uint8Array) return pyBytesRepr(value);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'bigint') return String(value);
  return Number.isInteger(value) && !isFloatLike(value) ? String(value) : pyFloatRepr(value);
}

function isFloatLike(x: number): boolean {
  return !Number.isFinite(x) || Object.is(x, -0);
}

/** A Python repr that knows the code, so a float that happens to be whole still prints `2.0`. */
export function pyReprFor(code: string, value: StructValue): string {
  if (typeof value === 'number' && (code === 'e' || code === 'f' || code === 'd')) return pyFloatRepr(value);
  return pyRepr(value);
}

export type JsonValue = number | string | boolean;

/**
 * A value for `--json`: integers as numbers (as decimal strings beyond ±(2^53-1), where JSON
 * readers lose digits), floats as numbers (`"nan"`, `"inf"`, `"-inf"` as strings, which JSON
 * lacks), `?` as booleans, bytes as lowercase hex.
 */
export function toJsonValue(value: StructValue): JsonValue {
  if (value instanceof Uint8Array) return formatHex(value);
  if (typeof value === 'boolean') return value;
  if (typeof value === 'bigint')
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : String(value);
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  // Numbers from unpack are floats or integers of at most 4 bytes: always exact in JSON.
  return value;
}
