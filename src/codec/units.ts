import { UsageError } from '../errors.js';

/**
 * Numbers as people type them on the command line, at the prompt and in scripts: durations
 * (`500ms`, `2s`, `1m`), sizes (`64k`, `1m`), whole numbers in decimal or `0x` hex (`--tos 0x10`),
 * ports. Every option that takes a number parses it here, so one grammar holds everywhere.
 */

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
const HEX = /^\s*0x([0-9a-f]+)\s*$/i;

/** The longest wait a Node timer honours: about 24.8 days. */
const MAX_DURATION_MS = 2 ** 31 - 1;

/** Sizes beyond this are refused before anything is allocated (a petabyte is never meant). */
const MAX_SIZE = 2 ** 53 - 1;

/** `0x1f` → 31, or undefined when the text is not a hex number. */
function hexNumber(text: string): number | undefined {
  const m = HEX.exec(text);
  return m ? Number.parseInt(m[1]!, 16) : undefined;
}

/**
 * Parses `500ms`, `2s`, `1.5s`, `1m`, `1h` into milliseconds. A bare number means seconds,
 * as in nc's `-w 5` and `-q 1` (also in hex: `0x10` is 16 seconds).
 */
export function parseDuration(text: string, what = 'duration'): number {
  const hex = hexNumber(text);
  const m = hex === undefined ? /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(text) : undefined;
  if (hex === undefined && !m)
    throw new UsageError(`${what}: '${text}' is not a duration (use e.g. 500ms, 2s, 1m)`);
  const ms = m ? Math.round(Number(m[1]) * DURATION_UNITS[(m[2] ?? 's').toLowerCase()]!) : hex! * 1000;
  // Node's timers take at most 2^31-1 ms and fire a longer one after 1 ms instead.
  if (ms > MAX_DURATION_MS) throw new UsageError(`${what}: '${text}' is too long (at most 596h)`);
  return ms;
}

/** Parses `65536`, `0x10000`, `64k`, `1m`, `1g` (binary multiples) into bytes. */
export function parseSize(text: string, what = 'size'): number {
  const hex = hexNumber(text);
  if (hex !== undefined) return checkSize(hex, text, what);
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)i?b?\s*$/i.exec(text);
  if (!m) throw new UsageError(`${what}: '${text}' is not a size (use e.g. 4096, 64k, 1m)`);
  return checkSize(Math.round(Number(m[1]) * SIZE_UNITS[m[2]!.toLowerCase()]!), text, what);
}

function checkSize(n: number, text: string, what: string): number {
  if (!Number.isSafeInteger(n) || n > MAX_SIZE) throw new UsageError(`${what}: '${text}' is too large`);
  return n;
}

/** Parses a whole number (decimal, or hex with `0x`) within bounds, naming the option in the error. */
export function parseInteger(text: string, what: string, min: number, max: number): number {
  const hex = hexNumber(text);
  if (hex !== undefined) return checkRange(hex, what, min, max);
  if (!/^\s*-?\d+\s*$/.test(text)) throw new UsageError(`${what}: '${text}' is not a whole number`);
  return checkRange(Number(text), what, min, max);
}

/** `n` if it is within bounds; otherwise a usage error naming the option. */
export function checkRange(n: number, what: string, min: number, max: number): number {
  if (!(n >= min && n <= max)) throw new UsageError(`${what}: ${n} is out of range (${min}..${max})`);
  return n;
}

export function parsePort(text: string, what = 'port'): number {
  return parseInteger(text, what, 0, 65535);
}

/** Formats milliseconds the way a user typed them: 500ms, 2s, 1.5s, 2m (a measured 507.83 is 508ms). */
export function formatDuration(ms: number): string {
  if (ms < 999.5) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(3))}s`;
  return `${Number((ms / 60_000).toFixed(2))}m`;
}
