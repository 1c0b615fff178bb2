import { formatDuration } from '../codec/units.js';
import { UsageError } from '../errors.js';
import { splitUnescaped } from '../plugin/spec-split.js';
import type { FaultController } from './fault-controller.js';
import type { FaultEntry } from './fault-entry.js';

/** One active fault as `/fault list` and `--json` report it. */
export interface FaultInfo {
  id: number;
  spec: string;
  name: string;
  plugin: string;
  dir: 'in' | 'out' | 'both';
  fromMs: number;
  untilMs?: number;
}

/**
 * `/fault` (also the script word `fault`):
 *   /fault <spec> [option ...]   switch a fault on: `delay:300ms dir=out` = `delay:300ms,dir=out`
 *   /fault list                  the active faults and the seed (also a bare /fault)
 *   /fault off <n|name>          switch one off (what it holds goes on first)
 *   /fault clear                 switch every fault off
 *   /fault stats                 how often each fault acted, per kind (delayed, dropped, cut...)
 */
export function faultCommand(
  faults: FaultController | undefined,
  rest: string,
): { lines: string[]; data?: unknown } {
  if (!faults) throw new UsageError('fault: fault injection is not set up in this session');
  // Quoted and slashed values keep their spaces: `/fault reset when=hex:"00 05"`.
  const words = splitUnescaped(rest.trim(), /\s/).filter((w) => w !== '');
  const first = words[0]?.toLowerCase();
  if (first === undefined || first === 'list') return list(faults);
  if (first === 'stats' && words.length === 1) return stats(faults);
  if (first === 'clear' || (first === 'off' && words.length === 1)) {
    const gone = faults.clear();
    return {
      lines: [gone.length ? `faults off: ${gone.map(label).join(', ')}` : 'no fault was on'],
      data: { off: gone.map(info) },
    };
  }
  if (first === 'off') {
    const gone = faults.remove(words.slice(1).join(' '));
    return { lines: [`fault off: ${gone.map(label).join(', ')}`], data: { off: gone.map(info) } };
  }
  // Options may follow the spec as separate words, the way a script line is written.
  const entry = faults.add(words.join(','), 'fault');
  const seed = faults.active.length === 1 ? `  (${faults.seedLine()})` : '';
  return {
    lines: [`fault ${label(entry)} on${timing(entry)}${seed}`],
    data: { on: info(entry), seed: faults.seed },
  };
}

function list(faults: FaultController): { lines: string[]; data: unknown } {
  const active = faults.active;
  const lines = active.length
    ? active.map((e) => `${label(e)}${timing(e)}`)
    : ['no fault is on (/fault <spec> switches one on; sockrepl plugins lists them)'];
  lines.push(faults.seedLine());
  return { lines, data: { seed: faults.seed, faults: active.map(info) } };
}

function stats(faults: FaultController): { lines: string[]; data: unknown } {
  const rows = faults.stats();
  const lines = rows.length
    ? rows.map((s) => {
        const kinds = Object.entries(s.kinds)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ');
        return `#${s.id} ${s.spec}: ${s.total === 1 ? '1 act' : `${s.total} acts`}${kinds ? ` (${kinds})` : ''}${s.active ? '' : ' [off]'}`;
      })
    : ['no fault has been on'];
  return { lines, data: { stats: rows } };
}

function label(e: FaultEntry): string {
  return `#${e.id} ${e.spec}`;
}

function timing(e: FaultEntry): string {
  const dir = e.dirs.length === 2 ? 'both directions' : e.dirs[0] === 'in' ? 'received bytes' : 'sent bytes';
  const from = e.fromMs > 0 ? `, from ${formatDuration(e.fromMs)}` : '';
  const until = e.untilMs !== undefined ? ` until ${formatDuration(e.untilMs)}` : '';
  return ` (${dir}${from}${until})`;
}

export function info(e: FaultEntry): FaultInfo {
  const out: FaultInfo = {
    id: e.id,
    spec: e.spec,
    name: e.fault.name,
    plugin: e.fault.plugin,
    dir: e.dirs.length === 2 ? 'both' : e.dirs[0]!,
    fromMs: e.fromMs,
  };
  if (e.untilMs !== undefined) out.untilMs = e.untilMs;
  return out;
}
