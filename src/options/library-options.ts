import { nearMatches } from '../codec/near-match.js';
import { UsageError } from '../errors.js';
import type { ConnectionOptions } from './connection-options.js';
import { findOptionRow, type LineKind, libraryKey, OPTION_ROWS, type OptionRow } from './option-table.js';
import { type GivenOption, resolveOptions } from './resolve-options.js';

/**
 * The library's connect()/listen() options: the vocabulary's rows marked for the library, by
 * their camelCase keys (`sourcePort`, `keepaliveInterval`, `connectTimeout`), with numbers or
 * texts as values (`linger: 0`, `rcvbuf: '64k'`) and booleans for switches. `family: 4 | 6` picks
 * the ipv4/ipv6 row. Errors name the key as the caller wrote it.
 */

/** A row's key, and its aliases' (`maxClients` for `maxConns`). */
const keysOf = (row: OptionRow) => [
  libraryKey(row),
  ...(row.aliases ?? []).map((a) => a.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase())),
];

const forCall = (row: OptionRow, on: LineKind) => row.library?.on === 'both' || row.library?.on === on;

/** The keys a call takes (the caller's own keys first, e.g. the tube's timeout and encoding). */
export function libraryKeys(on: LineKind, own: readonly string[] = []): string[] {
  return [...own, ...OPTION_ROWS.filter((r) => forCall(r, on)).map(libraryKey), 'family'];
}

export function resolveLibraryOptions(
  options: Readonly<Record<string, unknown>>,
  on: LineKind,
  own: readonly string[] = [],
): ConnectionOptions {
  const given: GivenOption[] = [];
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || own.includes(key)) continue;
    if (key === 'family') {
      if (value !== 4 && value !== 6) throw new UsageError(`family: ${String(value)} is not 4 or 6`);
      given.push({ row: findOptionRow(`ipv${value}`)!, value: true, what: `family ${value}` });
      continue;
    }
    const row = findOptionRow(key);
    if (!row || !forCall(row, on) || !keysOf(row).includes(key)) {
      const known = libraryKeys(on, own);
      const [near] = nearMatches(key, known, 1);
      const hint = near ? `did you mean '${near}'? ` : '';
      throw new UsageError(`${on}: unknown option '${key}'; ${hint}(known: ${known.join(', ')})`);
    }
    if (value === false) continue;
    if (row.takes === 'none' && value !== true)
      throw new UsageError(`${key}: ${JSON.stringify(value)} is not true or false`);
    if (typeof value !== 'boolean' && typeof value !== 'number' && typeof value !== 'string')
      throw new UsageError(`${key}: ${JSON.stringify(value)} is not a number or a text`);
    given.push({ row, value: value === true ? true : String(value), what: key });
  }
  return resolveOptions(given, { spell: libraryKey });
}
