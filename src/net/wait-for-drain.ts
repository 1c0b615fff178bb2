import { NetError } from '../errors.js';
import type { Channel, CloseReason } from './channel.js';

/** How a wait for 'drain' ended: the channel drained, or it closed first (with why). */
export type DrainOutcome = { closed: false } | { closed: true; reason: CloseReason; error?: NetError };

const pending = new WeakMap<Channel, Promise<DrainOutcome>>();

/**
 * Resolves when a channel whose send() returned false drains, or when it closes. However many
 * callers wait (every refused send of a relay, every client of a broker, every source of a proxy),
 * the channel carries one 'drain' and one 'close' listener for all of them: a listener per refused
 * send was the MaxListenersExceededWarning of a slow upstream.
 */
export function drainOrClose(channel: Channel): Promise<DrainOutcome> {
  if (channel.closed) return Promise.resolve({ closed: true, reason: 'local' });
  let wait = pending.get(channel);
  if (wait) return wait;
  wait = new Promise<DrainOutcome>((resolve) => {
    const done = (outcome: DrainOutcome) => {
      channel.off('drain', onDrain);
      channel.off('close', onClose);
      pending.delete(channel);
      resolve(outcome);
    };
    const onDrain = () => done({ closed: false });
    const onClose = (reason: CloseReason, error?: NetError) => done({ closed: true, reason, error });
    channel.on('drain', onDrain);
    channel.on('close', onClose);
  });
  pending.set(channel, wait);
  return wait;
}

/**
 * Waits until a channel whose send() returned false can take more ('drain'). Rejects when it
 * closes first (the bytes queued may never leave) or when `timeoutMs` passes with the peer not
 * reading. An abort of `signal` ends the wait quietly: the caller checks its signal.
 */
export function waitForDrain(
  channel: Channel,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  const { timeoutMs = Number.POSITIVE_INFINITY, signal } = options;
  return new Promise((resolve, reject) => {
    let finished = false;
    const done = (err?: Error) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    };
    const onAbort = () => done();
    void drainOrClose(channel).then((outcome) =>
      done(
        outcome.closed
          ? (outcome.error ?? new NetError('send: the connection closed before the data was sent', 'EPIPE'))
          : undefined,
      ),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer =
      timeoutMs === Number.POSITIVE_INFINITY
        ? undefined
        : setTimeout(
            () =>
              done(
                new NetError(
                  `send: still blocked after ${timeoutMs}ms: the peer is not reading (its receive window and our send buffer are full)`,
                  'ETIMEDOUT',
                ),
              ),
            timeoutMs,
          );
  });
}
