import { UsageError } from '../errors.js';
import type { Direction } from '../net/channel.js';
import type { ParsedFault } from '../plugin/registry.js';
import type { OptionRow, ParsedOptions } from '../plugin/types.js';
import { type ChunkMatcher, parseWhen } from './fault-when.js';

/**
 * Options every fault takes besides its own, parsed from the same spec: which direction it acts
 * on and when (`delay:200ms,dir=out,from=2s,until=5s`). Times count from the moment the fault
 * takes effect on a connection: when the connection opens, or when `/fault` adds it to an open one.
 */
export const FAULT_ROWS: readonly OptionRow[] = [
  {
    key: 'dir',
    kind: 'enum',
    values: ['in', 'out', 'both'],
    default: 'both',
    summary: 'bytes it acts on: in (received), out (sent), or both',
  },
  {
    key: 'from',
    kind: 'duration',
    default: 0,
    summary: 'start this long after the connection opens (or the fault is added)',
  },
  {
    key: 'until',
    kind: 'duration',
    min: 1,
    summary: 'stop this long after the connection opens, passing on what it holds',
  },
  {
    key: 'when',
    kind: 'custom',
    hint: '/regex/|hex:"00 05"|"text"',
    summary:
      'act only on chunks (with framing on: messages) that match (the fault starts at the first); others pass untouched',
    parse: parseWhen,
  },
  {
    key: 'count',
    kind: 'int',
    min: 1,
    summary:
      'act on at most this many chunks (messages with framing on) per connection (with when=: matching ones)',
  },
];

const RESERVED = new Set(FAULT_ROWS.map((r) => r.key));

/** One fault as the session knows it: parsed once, applied to every connection. */
export interface FaultEntry {
  /** 1, 2, 3... in the order faults were added; `/fault off 2` names it. */
  readonly id: number;
  /** The spec as given, for lists and the status line. */
  readonly spec: string;
  readonly fault: ParsedFault;
  /** The fault's own options, without dir/from/until. */
  readonly options: ParsedOptions;
  readonly dirs: readonly Direction[];
  readonly fromMs: number;
  readonly untilMs: number | undefined;
  /** `when=`: only chunks that match go through the fault. */
  readonly when: ChunkMatcher | undefined;
  /** `count=`: at most this many chunks (per connection) go through the fault. */
  readonly count: number | undefined;
}

/** Splits the common rows off a parsed fault and checks that they fit together. */
export function makeEntry(id: number, fault: ParsedFault, what: string): FaultEntry {
  const own = fault.definition.options ?? [];
  const clash = own.find((row) => RESERVED.has(row.key));
  if (clash)
    throw new UsageError(
      `${what} '${fault.spec}': fault '${fault.name}' of plugin '${fault.plugin}' declares an option '${clash.key}', a name every fault already has (${[...RESERVED].join(', ')})`,
    );
  const { dir, from, until, when, count, ...options } = fault.options;
  const fromMs = from as number;
  const untilMs = until as number | undefined;
  if (untilMs !== undefined && untilMs <= fromMs)
    throw new UsageError(`${what} '${fault.spec}': until= must come after from=`);
  const dirs: Direction[] = dir === 'in' ? ['in'] : dir === 'out' ? ['out'] : ['in', 'out'];
  return {
    id,
    spec: fault.spec,
    fault,
    options,
    dirs,
    fromMs,
    untilMs,
    when: when as ChunkMatcher | undefined,
    count: count as number | undefined,
  };
}
