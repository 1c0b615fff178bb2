import { nearMatches } from '../codec/near-match.js';
import { UsageError } from '../errors.js';
import type { ConnectionOptions } from './connection-options.js';
import { findOptionRow, type LineKind, ON_OFF, OPTION_ROWS, type OptionRow } from './option-table.js';
import { type GivenOption, resolveOptions } from './resolve-options.js';

/**
 * A script's `connect host port nodelay source-port=40000 linger=0 udp`: the option vocabulary
 * written as words, `name` or `name=value`. The rows marked for a script line are its words;
 * socket options also go by their C names (`TCP_NODELAY`, `SO_RCVBUF=64k`). A switch takes on/off
 * (`nodelay=off`). Errors name the word as written in the script.
 */

export interface Word {
  name: string;
  value?: string;
}

const fits = (row: OptionRow, line: LineKind) => row.line === 'both' || row.line === line;

/** The row a word names when a script line may take it; undefined otherwise. */
export function lookupOptionWord(name: string): OptionRow | undefined {
  const row = findOptionRow(name);
  return row?.line ? row : undefined;
}

/** The words a connect or listen line takes. */
export function optionWordNames(line: LineKind): string[] {
  return OPTION_ROWS.filter((r) => fits(r, line)).map((r) => r.name);
}

/** Checks a word's name, line and arity (not its value): what the parser can know before variables. */
export function checkOptionWord(name: string, hasValue: boolean, line: LineKind): OptionRow {
  const row = lookupOptionWord(name);
  if (!row) {
    const known = optionWordNames(line);
    const [near] = nearMatches(name, known, 1);
    const hint = near ? `did you mean '${near}'?` : `known: ${known.join(', ')}`;
    throw new UsageError(`unknown ${line} option '${name}' (${hint})`);
  }
  if (!fits(row, line)) {
    const other = line === 'connect' ? 'listen' : 'connect';
    throw new UsageError(`'${row.name}' applies to ${other} only, not to ${line}`);
  }
  if ((row.takes === 'required' || row.takes === 'list') && !hasValue) {
    throw new UsageError(`'${row.name}' needs a value, as in ${row.name}=${exampleValue(row)}`);
  }
  return row;
}

function exampleValue(row: OptionRow): string {
  if (/port/.test(row.name)) return '40000';
  if (/buf/.test(row.name)) return '64k';
  if (row.value === 'dur' || row.value === 's') return '5s';
  if (row.name === 'source') return '127.0.0.1';
  return '1';
}

/**
 * A line's words as options, over `base` (the command line's options, under a script's own
 * connect line) or the defaults. A switch set `off` keeps what the base says.
 */
export function resolveOptionWords(
  words: readonly Word[],
  line: LineKind,
  base?: ConnectionOptions,
): ConnectionOptions {
  const given: GivenOption[] = [];
  for (const w of words) {
    const row = checkOptionWord(w.name, w.value !== undefined, line);
    if (row.takes === 'none' && w.value !== undefined) {
      if (!ON_OFF.test(w.value)) throw new UsageError(`${row.name}: '${w.value}' is not on/off`);
      if (/^(0|off|false|no)$/i.test(w.value)) continue;
    }
    given.push({ row, value: row.takes === 'none' ? true : (w.value ?? true), what: row.name });
  }
  return resolveOptions(given, { spell: (r) => r.name, base });
}

/** The inverse, for a recorded script: the options a line needs, as words the parser takes. */
export function optionWords(o: Partial<ConnectionOptions>, line: LineKind): string[] {
  const words: string[] = [];
  for (const row of OPTION_ROWS) {
    if (!fits(row, line) || !row.get) continue;
    const v = row.get(o);
    if (v === true) words.push(row.name);
    else if (v !== undefined) words.push(`${row.name}=${v}`);
  }
  return words;
}
