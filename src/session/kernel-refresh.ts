import { type KernelView, kernelViewChanged, readKernelViews } from '../net/kernel-view.js';
import type { Conn } from './conn.js';
import type { StateEvent } from './session-events.js';

/** How long after closing a connection the kernel's view of it (TIME_WAIT...) is still read. */
const AFTER_CLOSE_MS = 120_000;

/**
 * Reads TCP state, queues and RTT for the connections, keeps each view on its Conn, and reports
 * the ones that changed as `state` events. Returns whether anything shown changed.
 */
export function refreshKernelViews(conns: Iterable<Conn>, emit: (e: StateEvent) => void): boolean {
  const now = Date.now();
  // A program has no socket for the kernel to describe.
  const live = [...conns].filter(
    (c) => c.proto !== 'exec' && (!c.closed || now - c.closed.time < AFTER_CLOSE_MS),
  );
  if (live.length === 0) return false;
  let views: KernelView[];
  try {
    views = readKernelViews(
      live.map((c) => ({ proto: c.proto, fd: c.channel.fd, local: c.local, remote: c.remote })),
    );
  } catch {
    return false;
  }
  let changed = false;
  live.forEach((c, i) => {
    const v = views[i]!;
    // Once closed and gone from the kernel's tables there is nothing more to say.
    if (c.closed && v.state === undefined) {
      if (c.kernel?.state !== undefined) {
        c.kernel = { state: undefined };
        changed = true;
      }
      return;
    }
    const was = c.kernel;
    c.kernel = v;
    if (kernelViewChanged(was, v)) {
      changed = true;
      emit({ type: 'state', time: Date.now(), conn: c.id, ...v });
    }
  });
  return changed;
}
