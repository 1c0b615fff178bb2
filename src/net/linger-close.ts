import type { Socket } from 'node:net';
import { nativeSockets } from './native.js';
import { resetSocket } from './reset-socket.js';

const POLL_MS = 10;

/**
 * Closes a TCP socket without ever blocking the event loop, keeping SO_LINGER's wire behaviour.
 *
 * With a non-zero linger, close(2) blocks until the peer acknowledges everything (or the timeout
 * passes and the kernel sends RST). Instead we queue FIN, then poll until Node's own buffer is
 * empty and the kernel reports nothing unacknowledged (SIOCOUTQ counts our FIN too), and only then
 * close the descriptor; if the timeout passes first we close with SO_LINGER 0, which sends the same
 * RST the kernel would.
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
      resetSocket(socket);
      return;
    }
    if (!linger) {
      socket.end(() => socket.destroy());
      return;
    }
    const deadline = Date.now() + linger * 1000;
    socket.end();
    const tick = () => {
      const d = fd();
      if (d === undefined || socket.destroyed) return;
      const api = nativeSockets();
      const unacked = socket.writableLength > 0 ? 1 : api.unacked(d);
      if (unacked === 0 || unacked === undefined) {
        // Everything, FIN included, is acknowledged: close(2) returns at once now.
        api.setLinger(d, false, 0);
        socket.destroy();
      } else if (Date.now() >= deadline) {
        resetSocket(socket);
      } else {
        setTimeout(tick, POLL_MS);
      }
    };
    tick();
  });
}
