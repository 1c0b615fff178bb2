import { UsageError } from '../errors.js';
import type { Conn } from './conn.js';

/** What commands act on: one connection by its id, or every open one (/all). */
export type Target = number | 'all';

/** The connections a send goes to: the selected one, or every open one for /all. */
export function sendTargets(conns: Map<number, Conn>, target: Target, noConnection: () => string): Conn[] {
  if (target === 'all') {
    const open = [...conns.values()].filter((c) => !c.closed);
    if (open.length === 0) throw new UsageError(noConnection());
    return open;
  }
  const conn = conns.get(target);
  if (!conn) throw new UsageError(`no connection ${target}`);
  if (conn.closed) throw new UsageError(`connection ${conn.id} is closed (${conn.closed.reason})`);
  return [conn];
}

/** The one connection a command like /expect or /info is about. */
export function oneTarget(
  conns: Map<number, Conn>,
  target: Target,
  what: string,
  noConnection: () => string,
): Conn {
  if (target !== 'all') {
    const conn = conns.get(target);
    if (!conn) throw new UsageError(`no connection ${target}`);
    return conn;
  }
  // Counted without building a list: every expect of a script asks.
  let open: Conn | undefined;
  let count = 0;
  let last: Conn | undefined;
  for (const c of conns.values()) {
    last = c;
    if (!c.closed) {
      open = c;
      count++;
    }
  }
  if (count === 1) return open!;
  if (count === 0) {
    // After the end, /info and /expect eof still concern the last connection there was.
    if (last) return last;
    throw new UsageError(noConnection());
  }
  throw new UsageError(`${what}: ${count} connections are open; pick one with /use <id>`);
}
