import { parseEscapes } from '../codec/escapes.js';
import { didYouMean } from '../codec/near-match.js';
import { formatDuration, parseDuration, parseSize } from '../codec/units.js';
import { UsageError } from '../errors.js';
import { splitUnescaped } from './spec-split.js';
import type { OptionRow, ParsedOptions, SpecSchema } from './types.js';

/**
 * One grammar for `--frame`, `--fault`, `/frame` and `/fault`, in the manner of socat addresses:
 *
 *   name[:positional][,option[=value]]...        length:u32be,include-header   delay:200ms,dir=out
 *
 * Each definition declares its options as rows (`types.ts`); parsing, defaults, every error
 * message and the help text come from those rows, so all plugins behave alike. A backslash
 * escapes the next character, so a comma can be part of a value (`delim:\,`).
 */

export interface SpecParts {
  /** The spec as given, for messages. */
  text: string;
  /** What the spec is for, for messages: `frame`, `--fault`... */
  what: string;
  /** The definition name, possibly qualified by its plugin (`framing/lines`). */
  name: string;
  /** The text after the colon, if any. */
  positional?: string;
  /** `key=value` or bare `flag`, in order. */
  options: { name: string; value?: string }[];
}

const NAME = /^[A-Za-z0-9_@][\w@./-]*$/;

/** Splits a spec into its name, positional argument and options; checks syntax only. */
export function splitSpec(spec: string, what = 'spec'): SpecParts {
  const text = trimUnescaped(spec);
  const fail = (why: string): never => {
    throw new UsageError(`${what} '${text}': ${why}`);
  };
  if (text === '') fail('is empty');
  const segments = splitUnescaped(text, ',');
  const head = segments.shift()!;
  const colon = head.indexOf(':');
  const name = (colon < 0 ? head : head.slice(0, colon)).trim();
  if (name === '') fail('has no name before the options');
  if (!NAME.test(name)) fail(`'${name}' is not a name (letters, digits, - _ . /)`);
  const parts: SpecParts = { text, what, name, options: [] };
  if (colon >= 0) {
    parts.positional = head.slice(colon + 1);
    if (parts.positional === '') fail(`nothing after ':'`);
  }
  for (const segment of segments) {
    const eq = segment.indexOf('=');
    const optName = (eq < 0 ? segment : segment.slice(0, eq)).trim();
    if (optName === '')
      fail(segment.trim() === '' ? 'an empty option between commas' : `'${segment}' has no name`);
    parts.options.push(eq < 0 ? { name: optName } : { name: optName, value: segment.slice(eq + 1) });
  }
  return parts;
}

/** Trims surrounding whitespace, but keeps an escaped trailing space (`delim:\ `). */
function trimUnescaped(spec: string): string {
  const text = spec.trimStart();
  let end = text.length;
  while (end > 0 && /\s/.test(text[end - 1]!) && text[end - 2] !== '\\') end--;
  return text.slice(0, end);
}

/** How an option is written in a spec: `name`, or `key` in kebab-case. */
export function optionName(row: OptionRow): string {
  return row.name ?? row.key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * Parses the options of a split spec against a definition's rows (plus `extraRows` a caller adds
 * to every definition, such as a fault's `dir`). Applies defaults; rejects unknown, repeated,
 * missing and malformed options with one line naming the spec and the part at fault.
 */
export function parseOptions(
  parts: SpecParts,
  schema: SpecSchema,
  extraRows: readonly OptionRow[] = [],
): ParsedOptions {
  const fail = (why: string, cause?: unknown): never => {
    throw new UsageError(`${parts.what} '${parts.text}': ${why}`, { cause });
  };
  const rows = [...(schema.options ?? []), ...extraRows];
  const byName = new Map<string, OptionRow>();
  for (const row of rows) {
    byName.set(optionName(row).toLowerCase(), row);
    byName.set(row.key.toLowerCase(), row);
  }
  const rowByKey = (key: string) => rows.find((r) => r.key === key);

  // Raw text per row key, and where it came from (for "given twice").
  const raw = new Map<string, { text: string | undefined; from: string }>();
  const put = (row: OptionRow, text: string | undefined, from: string) => {
    const previous = raw.get(row.key);
    if (previous) fail(`'${optionName(row)}' is given twice (${previous.from} and ${from})`);
    raw.set(row.key, { text, from });
  };

  if (parts.positional !== undefined) {
    const positional = schema.positional;
    const from = `':${parts.positional}'`;
    if (positional === undefined) {
      const valid = rows.length ? ` (options: ${rows.map(optionName).join(', ')})` : '';
      fail(`${parts.name} takes nothing after ':'${valid}`);
    } else if (typeof positional === 'string') {
      put(rowByKey(positional)!, parts.positional, from);
    } else {
      const pieces = positional.expand(parts.positional);
      if (pieces === undefined) fail(`'${parts.positional}' is not ${positional.hint}`);
      for (const [key, text] of Object.entries(pieces!)) {
        const row = rowByKey(key);
        // A definition bug, not the user's: the registry reports it as the plugin's failure.
        if (!row)
          throw new Error(`${parts.name}: positional.expand() returned '${key}', which is not an option key`);
        put(row, text, from);
      }
    }
  }

  for (const opt of parts.options) {
    let row = byName.get(opt.name.toLowerCase());
    let negated = false;
    if (!row && /^no-/i.test(opt.name)) {
      const flag = byName.get(opt.name.slice(3).toLowerCase());
      if (flag?.kind === 'flag') {
        row = flag;
        negated = true;
      }
    }
    if (!row) {
      const names = rows.map(optionName);
      const valid = names.length ? `valid: ${names.join(', ')}` : `${parts.name} takes no options`;
      // `/fault delay 1s`, written as a script line's words, reads as `delay,1s`.
      const colon =
        opt === parts.options[0] &&
        opt.value === undefined &&
        parts.positional === undefined &&
        fitsPositional(schema, opt.name);
      const hint = colon ? ` (did you mean '${parts.name}:${opt.name}'?)` : didYouMean(opt.name, names);
      fail(`unknown option '${opt.name}'${hint} (${valid})`);
    } else if (negated) {
      if (opt.value !== undefined) fail(`'${opt.name}' takes no value`);
      put(row, 'false', `'${opt.name}'`);
    } else {
      if (opt.value === undefined && row.kind !== 'flag')
        fail(`'${opt.name}' needs a value (${optionName(row)}=${valueHint(row)})`);
      put(row, opt.value, `'${opt.name}${opt.value === undefined ? '' : `=${opt.value}`}'`);
    }
  }

  const options: ParsedOptions = {};
  for (const row of rows) {
    const given = raw.get(row.key);
    if (given) {
      try {
        options[row.key] = parseValue(row, given.text);
      } catch (err) {
        if (err instanceof UsageError) fail(err.message, err);
        throw err;
      }
    } else if (row.default !== undefined) {
      options[row.key] = row.default;
    } else if (row.kind === 'flag') {
      options[row.key] = false;
    } else if (row.required) {
      const asPositional = schema.positional === row.key;
      fail(
        asPositional
          ? `needs a value after ':' (${parts.name}:${valueHint(row)})`
          : `'${optionName(row)}' is required (${optionName(row)}=${valueHint(row)})`,
      );
    }
  }
  return options;
}

/** Whether `text` would do as the value after the colon; only for a hint, so any failure is a no. */
function fitsPositional(schema: SpecSchema, text: string): boolean {
  const p = schema.positional;
  try {
    if (typeof p === 'string') {
      const row = schema.options?.find((r) => r.key === p);
      if (row) parseValue(row, text);
      return row !== undefined;
    }
    return p !== undefined && p.expand(text) !== undefined;
  } catch {
    return false;
  }
}

/** Parses one option's text by its row's kind; errors are `name: why`, the caller adds the spec. */
export function parseValue(row: OptionRow, text: string | undefined): unknown {
  const name = optionName(row);
  switch (row.kind) {
    case 'flag': {
      if (text === undefined) return true;
      const word = text.trim().toLowerCase();
      if (['true', 'yes', 'on', '1'].includes(word)) return true;
      if (['false', 'no', 'off', '0'].includes(word)) return false;
      throw new UsageError(`${name}: '${text}' is not true or false`);
    }
    case 'int':
    case 'size':
    case 'duration':
    case 'probability':
      return inRange(row.kind, name, parseNumber(row.kind, name, text ?? ''), row.min, row.max, text ?? '');
    case 'bytes': {
      const bytes = specBytes(text ?? '', name);
      if (row.minLength !== undefined && bytes.length < row.minLength)
        throw new UsageError(
          `${name}: needs at least ${row.minLength} byte${row.minLength === 1 ? '' : 's'}`,
        );
      if (row.maxLength !== undefined && bytes.length > row.maxLength)
        throw new UsageError(`${name}: '${text}' is longer than ${row.maxLength} bytes`);
      return bytes;
    }
    case 'string':
      return text ?? '';
    case 'enum': {
      const word = (text ?? '').trim();
      const words = enumWords(row.values);
      const match = words.find((w) => w.toLowerCase() === word.toLowerCase());
      if (match === undefined) throw new UsageError(`${name}: '${word}' is not one of ${words.join(', ')}`);
      return Array.isArray(row.values) ? match : (row.values as Record<string, unknown>)[match];
    }
    case 'custom':
      return row.parse((text ?? '').trim());
  }
}

function parseNumber(kind: 'int' | 'size' | 'duration' | 'probability', name: string, text: string): number {
  switch (kind) {
    case 'int': {
      const t = text.trim();
      if (/^[+-]?\d+$/.test(t)) return Number(t);
      if (/^[+-]?0x[0-9a-f]+$/i.test(t)) return (t.startsWith('-') ? -1 : 1) * Number(t.replace(/^[+-]/, ''));
      throw new UsageError(`${name}: '${text}' is not a whole number`);
    }
    case 'size':
      return parseSize(text, name);
    case 'duration':
      return parseDuration(text, name);
    case 'probability': {
      const m = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*(%?)\s*$/.exec(text);
      if (!m) throw new UsageError(`${name}: '${text}' is not a probability (use e.g. 0.01 or 1%)`);
      return m[2] ? Number(m[1]) / 100 : Number(m[1]);
    }
  }
}

function inRange(
  kind: 'int' | 'size' | 'duration' | 'probability',
  name: string,
  n: number,
  min: number | undefined,
  max: number | undefined,
  text: string,
): number {
  const lo = min ?? (kind === 'int' ? Number.MIN_SAFE_INTEGER : 0);
  const hi = max ?? (kind === 'probability' ? 1 : Number.MAX_SAFE_INTEGER);
  if (!Number.isFinite(n) || n < lo || n > hi) {
    const show = (v: number) => formatNumber(kind, v);
    const range =
      min === undefined && max === undefined
        ? `must be ${kind === 'probability' ? 'between 0 and 1' : `at most ${show(hi)}`}`
        : `must be in ${show(lo)}..${show(hi)}`;
    throw new UsageError(`${name}: '${text.trim()}' is out of range (${range})`);
  }
  return n;
}

export function enumWords(values: readonly string[] | Readonly<Record<string, unknown>>): string[] {
  return Array.isArray(values) ? [...values] : Object.keys(values);
}

/** A spec's byte option (`delim:\\r\\n`): escapes of the spec dialect, characters as UTF-8. */
function specBytes(text: string, name: string): Uint8Array {
  try {
    return Uint8Array.from(parseEscapes(text, 'spec'));
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(`${name}: ${err.message} in '${text}'`);
    throw err;
  }
}

/** The placeholder for a row's value: `<size>`, `<le|be>`... */
export function valueHint(row: OptionRow): string {
  if (row.hint) return row.hint;
  switch (row.kind) {
    case 'flag':
      return 'true|false';
    case 'enum':
      return `<${enumWords(row.values).join('|')}>`;
    case 'int':
      return '<n>';
    case 'size':
      return '<size>';
    case 'duration':
      return '<duration>';
    case 'probability':
      return '<0..1>';
    case 'bytes':
      return '<bytes>';
    case 'string':
      return '<text>';
    case 'custom':
      return row.hint;
  }
}

export function formatNumber(kind: 'int' | 'size' | 'duration' | 'probability', n: number): string {
  if (kind === 'duration') return formatDuration(n);
  if (kind === 'size') return formatSize(n);
  return String(n);
}

/** `16m`, `64k`, `1000`: a size as a user would type it (the form `size` options accept). */
export function formatSize(n: number): string {
  for (const [unit, scale] of [
    ['g', 1024 ** 3],
    ['m', 1024 ** 2],
    ['k', 1024],
  ] as const)
    if (n >= scale && n % scale === 0) return `${n / scale}${unit}`;
  return String(n);
}
