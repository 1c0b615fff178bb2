import type { Socket } from 'node:net';
import { nativeSockets } from './native.js';

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
      resetSocket(socket, fd());
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
        resetSocket(socket, fd());
      } else {
        setTimeout(tick, POLL_MS);
      }
    };
    tick();
  });
}

/**
 * Closes with RST. Node's resetAndDestroy() takes only plain TCP handles; a TLS socket's
 * descriptor gets SO_LINGER 0 so that closing it sends the same RST.
 */
export function resetSocket(socket: Socket, fd: number | undefined): void {
  if (!('encrypted' in socket) || fd === undefined) {
    socket.resetAndDestroy();
    return;
  }
  try {
    nativeSockets().setLinger(fd, true, 0);
  } catch {
    // Without koffi the close is a FIN; the socket goes all the same.
  }
  socket.destroy();
}
