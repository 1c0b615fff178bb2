import { parseDuration } from '../codec/units.js';
import { UsageError } from '../errors.js';

/** Milliseconds, a duration (`'5s'`, `'500ms'`), or `Infinity` / `'forever'` to wait without limit. */
export type Timeout = number | string;

/** Converts a Timeout to milliseconds (Infinity for no limit). */
export function timeoutMs(t: Timeout): number {
  if (typeof t === 'number') {
    if (Number.isNaN(t) || t < 0) throw new UsageError(`timeout: ${t} is not a duration`);
    return t;
  }
  if (/^(forever|inf(inity)?|none)$/i.test(t.trim())) return Number.POSITIVE_INFINITY;
  return parseDuration(t, 'timeout');
}
