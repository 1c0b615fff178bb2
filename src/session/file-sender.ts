import { createReadStream, statSync } from 'node:fs';
import { NetError, UsageError } from '../errors.js';
import type { Conn, Session } from './session.js';

/**
 * /file: streams a file to the target connections in 64 KiB pieces, waiting for the kernel to
 * take each one (backpressure), and reports progress (bytes, rate, ETA) a few times a second.
 * The connections default to the session's targets.
 */

export async function sendFile(
  session: Session,
  path: string,
  conns?: Conn[],
  signal?: AbortSignal,
): Promise<{ sent: number; elapsedMs: number }> {
  // Asked before anything else: an empty file would send nothing, and still not be allowed.
  session.assertSends();
  const to = conns ?? session.targets();
  let total: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new UsageError(`/file ${path}: not a regular file`);
    total = st.size;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    throw new UsageError(`/file ${path}: ${code === 'ENOENT' ? 'no such file' : code}`);
  }
  const started = Date.now();
  let sent = 0;
  let lastReport = 0;
  const report = (done: boolean) => {
    const now = Date.now();
    if (!done && now - lastReport < 200) return;
    lastReport = now;
    const secs = Math.max((now - started) / 1000, 0.001);
    const rate = sent / secs;
    for (const c of to) {
      session.record({
        type: 'progress',
        time: now,
        conn: c.id,
        file: path,
        sent,
        total,
        bytesPerSec: Math.round(rate),
        etaMs: rate > 0 && !done ? Math.round(((total - sent) / rate) * 1000) : undefined,
        done,
      });
    }
  };
  const cancelled = () => new UsageError(`/file ${path}: cancelled after ${sent} of ${total} bytes`);
  const stream = createReadStream(path, { highWaterMark: 64 * 1024 });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (signal?.aborted) throw cancelled();
      const open = to.filter((c) => !c.closed && !c.channel.writeClosed);
      if (open.length === 0)
        throw new NetError(`/file ${path}: connection closed after ${sent} of ${total} bytes`, 'EPIPE');
      await session.send(chunk, open, signal);
      // The chunk is queued (a cancelled wait for drain ends quietly), so it counts as sent.
      sent += chunk.length;
      if (signal?.aborted && sent < total) throw cancelled();
      report(false);
    }
  } finally {
    stream.destroy();
    // Cancelled or failed too: the transfer is over, so its progress bar goes; the command's
    // error says how far it got.
    report(true);
  }
  return { sent, elapsedMs: Date.now() - started };
}
