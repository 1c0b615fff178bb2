import type { Conn } from './conn.js';
import type { Session } from './session.js';

/**
 * The connections `/close` and `/shutdown` (a script's `close`, `shutdown`) act on. One that is already over (the peer
 * closed or reset it, a timeout, or an earlier close) needs nothing: closing it again succeeds,
 * as closing a closed tube does in pwntools, so a recorded script whose peer hung up first still
 * replays. A connection that never existed, or none at all, is still an error (targets() says so).
 * `named`: the one connection the command names (`/close 3`) instead of the session's target.
 */
export function closeTargets(s: Session, named?: Conn): { open: Conn[]; over: Conn[] } {
  if (named) return named.closed ? { open: [], over: [named] } : { open: [named], over: [] };
  if (s.target !== 'all') {
    const conn = s.conns.get(s.target);
    if (conn?.closed) return { open: [], over: [conn] };
    return { open: s.targets(), over: [] };
  }
  const open = s.openConns();
  if (open.length > 0) return { open, over: [] };
  // Every connection there was is over: the last one is the one the user means.
  const last = [...s.conns.values()].at(-1);
  if (last) return { open: [], over: [last] };
  return { open: s.targets(), over: [] };
}

/** `connection 1 was already closed (reset)`. */
export function alreadyClosedLine(c: Conn): string {
  return `connection ${c.id} was already closed (${c.closed?.reason ?? 'local'})`;
}
