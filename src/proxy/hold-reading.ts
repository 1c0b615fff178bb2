import { FaultyChannel } from '../fault/faulty-channel.js';
import type { Channel } from '../net/channel.js';

const reasons = new WeakMap<Channel, Set<string>>();

/**
 * Stops reading a channel while any reason holds it, so the relay's own pauses (waiting for the
 * upstream, a slow peer) and a view's pause never undo one another. A faulty channel keeps its
 * reasons itself, beside those of its faults.
 */
export function holdReading(channel: Channel, reason: string, on: boolean): void {
  if (channel instanceof FaultyChannel) {
    channel.hold(reason, on);
    return;
  }
  let held = reasons.get(channel);
  if (!held) {
    held = new Set();
    reasons.set(channel, held);
  }
  const before = held.size;
  if (on) held.add(reason);
  else held.delete(reason);
  if (channel.closed) return;
  if (before === 0 && held.size > 0) channel.pause();
  else if (before > 0 && held.size === 0) channel.resume();
}
