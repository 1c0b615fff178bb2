import type { Conn } from './conn.js';

/**
 * Closes every connection after what it has queued (FIN after the last byte), with the listener.
 * `graceMs` bounds that wait: a connection whose peer still reads nothing then is reset, and
 * `onReset` says so, so that quitting never hangs on a peer that stopped reading.
 */
export async function closeAll(
  conns: Conn[],
  listenerClosed: Promise<void> | undefined,
  graceMs: number,
  onReset: (conn: Conn) => void,
): Promise<void> {
  const closing = Promise.all([
    listenerClosed,
    ...conns.map((c) => c.channel.close().catch(() => undefined)),
  ]);
  if (graceMs === Number.POSITIVE_INFINITY) return void (await closing);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), graceMs);
  });
  if ((await Promise.race([closing, late])) === 'late') {
    for (const c of conns) {
      if (c.channel.closed) continue;
      onReset(c);
      c.channel.reset();
    }
    await closing;
  }
  clearTimeout(timer);
}
