import { UsageError } from '../errors.js';

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/**
 * Parses `500ms`, `2s`, `1.5s`, `1m`, `1h` into milliseconds. A bare number means seconds,
 * as in nc's `-w 5` and `-q 1`.
 */
export function parseDuration(text: string, what = 'duration'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(text);
  if (!m) throw new UsageError(`${what}: '${text}' is not a duration (use e.g. 500ms, 2s, 1m)`);
  const unit = (m[2] ?? 's').toLowerCase();
  const ms = Math.round(Number(m[1]) * DURATION_UNITS[unit]!);
  // Node's timers take at most 2^31-1 ms and fire a longer one after 1 ms instead.
  if (ms > MAX_DURATION_MS) throw new UsageError(`${what}: '${text}' is too long (at most 596h)`);
  return ms;
}

/** The longest wait a Node timer honours: about 24.8 days. */
const MAX_DURATION_MS = 2 ** 31 - 1;

/** Parses `65536`, `64k`, `1m`, `1g` (binary multiples) into bytes. */
export function parseSize(text: string, what = 'size'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)i?b?\s*$/i.exec(text);
  if (!m) throw new UsageError(`${what}: '${text}' is not a size (use e.g. 4096, 64k, 1m)`);
  return Math.round(Number(m[1]) * SIZE_UNITS[m[2]!.toLowerCase()]!);
}

/** Parses a whole number within bounds, naming the option in the error. */
export function parseInteger(text: string, what: string, min: number, max: number): number {
  if (!/^\s*-?\d+\s*$/.test(text)) throw new UsageError(`${what}: '${text}' is not a whole number`);
  return checkRange(Number(text), what, min, max);
}

/** `n` if it is within bounds; otherwise a usage error naming the option. */
export function checkRange(n: number, what: string, min: number, max: number): number {
  if (n < min || n > max) throw new UsageError(`${what}: ${n} is out of range (${min}..${max})`);
  return n;
}

export function parsePort(text: string, what = 'port'): number {
  return parseInteger(text, what, 0, 65535);
}

/** Formats milliseconds the way a user typed them: 500ms, 2s, 1.5s, 2m. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(3))}s`;
  return `${Number((ms / 60_000).toFixed(2))}m`;
}
