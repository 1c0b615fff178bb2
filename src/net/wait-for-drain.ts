import { NetError } from '../errors.js';
import type { Channel, CloseReason } from './channel.js';

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
    const done = (err?: Error) => {
      clearTimeout(timer);
      channel.off('drain', onDrain);
      channel.off('close', onClose);
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => done();
    const onAbort = () => done();
    const onClose = (_reason: CloseReason, error?: NetError) =>
      done(error ?? new NetError('send: the connection closed before the data was sent', 'EPIPE'));
    channel.on('drain', onDrain);
    channel.on('close', onClose);
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
