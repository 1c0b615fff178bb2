import type { Socket } from 'node:net';
import { nativeSockets } from './native.js';

const POLL_MS = 10;

/**
 * Closes a TCP socket without ever blocking the event loop, keeping SO_LINGER's wire behaviour.
 *
 * With a non-zero linger, close(2) blocks until the peer acknowledges everything (or the timeout
 * passes and the kernel sends RST). Instead we send FIN, poll the unacknowledged byte count
 * (SIOCOUTQ, which counts our FIN too), and only close the descriptor once it is zero; if the
 * timeout passes first we set SO_LINGER to 0 and close, which sends the same RST the kernel would.
 */
export function lingerClose(
  socket: Socket,
  linger: number | undefined,
  fd: () => number | undefined,
): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve();
    socket.once('close', () => resolve());
    if (linger === 0) {
      socket.resetAndDestroy();
      return;
    }
    socket.end(() => {
      if (!linger) {
        socket.destroy();
        return;
      }
      const deadline = Date.now() + linger * 1000;
      const tick = () => {
        const d = fd();
        if (d === undefined || socket.destroyed) return;
        const api = nativeSockets();
        const unacked = api.unacked(d);
        if (unacked === 0 || unacked === undefined) {
          // Everything (FIN included) is acknowledged: close(2) returns at once now.
          api.setLinger(d, false, 0);
          socket.destroy();
        } else if (Date.now() >= deadline) {
          socket.resetAndDestroy();
        } else {
          setTimeout(tick, POLL_MS);
        }
      };
      tick();
    });
  });
}
