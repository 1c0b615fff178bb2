import { formatEscapes } from '../codec/escapes.js';
import { formatNumber, optionName, valueHint } from './spec.js';
import type { OptionRow, SpecSchema } from './types.js';

/** Help text for a plugin's spec, from the same rows the parser reads (`spec.ts`). */

/** `length:<u8|u16|u32|u64>[le|be][,options]`: how the spec is written. */
export function specSynopsis(name: string, schema: SpecSchema): string {
  const rows = schema.options ?? [];
  let s = name;
  const p = schema.positional;
  if (typeof p === 'string') {
    const row = rows.find((r) => r.key === p);
    if (row) s += row.required && row.default === undefined ? `:${valueHint(row)}` : `[:${valueHint(row)}]`;
  } else if (p) {
    // The rows an expander fills have defaults or are checked as rows: the shorthand is optional.
    s += `[:${p.hint}]`;
  }
  if (rows.some((r) => r.key !== p)) s += '[,options]';
  return s;
}

/** The default as a user would type it, or undefined when there is none worth showing. */
export function formatDefault(row: OptionRow): string | undefined {
  if (row.default === undefined) return undefined;
  switch (row.kind) {
    case 'flag':
      return row.default ? 'on' : undefined;
    case 'int':
    case 'size':
    case 'duration':
    case 'probability':
      return formatNumber(row.kind, row.default);
    case 'bytes':
      return formatEscapes(row.default, 'spec');
    case 'string':
      return row.default;
    case 'enum': {
      const d = row.default;
      return Array.isArray(row.values)
        ? String(d)
        : (Object.entries(row.values).find(([, v]) => v === d)?.[0] ?? String(d));
    }
    case 'custom':
      return String(row.default);
  }
}

/**
 * Help for one definition: the synopsis and summary, then one line per option, aligned.
 *
 *   length:<u8|u16|u32|u64>[le|be][,options]  length-prefixed messages
 *       width=<u8|u16|u32|u64>   bytes in the length field (default u32)
 */
export function describeSpec(name: string, schema: SpecSchema, indent = ''): string[] {
  const lines = [`${indent}${specSynopsis(name, schema)}  ${schema.summary}`];
  const positional = schema.positional;
  const rows = (schema.options ?? []).map((row) => {
    const usage = row.kind === 'flag' ? optionName(row) : `${optionName(row)}=${valueHint(row)}`;
    const notes: string[] = [];
    if (row.key === positional) notes.push(`or after ':'`);
    if (row.required && row.default === undefined) notes.push('required');
    const def = formatDefault(row);
    if (def !== undefined) notes.push(`default ${def}`);
    return { usage, text: notes.length ? `${row.summary} (${notes.join(', ')})` : row.summary };
  });
  if (typeof positional === 'object')
    rows.unshift({ usage: `:${positional.hint}`, text: positional.summary });
  const width = Math.max(0, ...rows.map((r) => r.usage.length));
  for (const r of rows) lines.push(`${indent}    ${r.usage.padEnd(width)}  ${r.text}`);
  return lines;
}
