import { UsageError } from '../errors.js';

/** The most ports one scan may name: a whole port range, no more. */
const MAX_PORTS = 65_535;

/**
 * nc's port lists for `-z`: `80`, `20-25`, `20-25,80,443` (ranges inclusive, either order of a
 * range refused). Ports come back in the order given, each once.
 */
export function parsePortList(text: string, what = 'port'): number[] {
  const out: number[] = [];
  const seen = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^\s*(\d{1,5})\s*(?:-\s*(\d{1,5})\s*)?$/.exec(part);
    if (!m) throw new UsageError(`${what}: '${part}' is not a port or a range (e.g. 20-25,80,443)`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from < 1 || to > 65_535 || from > 65_535 || to < 1)
      throw new UsageError(`${what}: '${part.trim()}' is out of range (1..65535)`);
    if (to < from) throw new UsageError(`${what}: '${part.trim()}' runs backwards; write ${to}-${from}`);
    for (let p = from; p <= to; p++) {
      if (seen.has(p)) continue;
      seen.add(p);
      out.push(p);
    }
  }
  if (out.length > MAX_PORTS) throw new UsageError(`${what}: more than ${MAX_PORTS} ports`);
  return out;
}
