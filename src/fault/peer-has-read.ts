import type { Channel } from '../net/channel.js';
import { findProcEntry, readProcSockets } from '../net/kernel-view.js';

const POLL_MS = 2;

/**
 * Resolves once the bytes we sent have been acknowledged and, when the peer's socket is on this
 * host (so the kernel lists it), read by the peer's application; or after `maxMs` at most.
 *
 * Why a fault's RST waits for it: an RST that arrives while the peer still has unread bytes is
 * reported by libuv (Node, and everything built on it) as a plain EOF after those bytes, not as
 * ECONNRESET; `reset:after=1k` means "the peer reads 1k, then sees the connection reset".
 */
export function peerHasRead(channel: Channel, maxMs = 500): Promise<void> {
  if (channel.proto !== 'tcp') return Promise.resolve();
  const deadline = performance.now() + maxMs;
  return new Promise((resolve) => {
    const check = () => {
      if (channel.closed || performance.now() >= deadline || drained(channel)) {
        resolve();
        return;
      }
      setTimeout(check, POLL_MS);
    };
    check();
  });
}

function drained(channel: Channel): boolean {
  const entries = readProcSockets('tcp');
  if (entries.length === 0) return true;
  const ours = findProcEntry(entries, undefined, channel.local, channel.remote);
  if (ours && ours.sendQ > 0) return false;
  const theirs = findProcEntry(entries, undefined, channel.remote, channel.local);
  return !theirs || theirs.recvQ === 0;
}
