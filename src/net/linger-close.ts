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
 * Closes abortively: the kernel sends RST and drops whatever is unsent.
 *
 * Node's `resetAndDestroy()` asks libuv for `uv_tcp_close_reset`, which refuses a handle whose write
 * side is shut down (UV_EINVAL) and then closes it gracefully: after `shutdown write` the peer saw
 * no RST, the socket sat in FIN-WAIT-2 and the REPL did not exit (issue 16). It also takes only
 * plain TCP handles, not TLS. SO_LINGER {on, 0} followed by close(2) sends RST in every state that
 * has a peer to tell (ESTABLISHED, CLOSE-WAIT, FIN-WAIT-1/2), so it is used whenever the descriptor
 * is known; Node's call remains the fallback.
 */
export function resetSocket(socket: Socket, fd: number | undefined): void {
  if (socket.destroyed) return;
  if (fd !== undefined && !socket.connecting) {
    try {
      nativeSockets().setLinger(fd, true, 0);
      socket.destroy();
      return;
    } catch {
      // No native calls here: Node's own reset below (a FIN for TLS, which it cannot reset).
    }
  }
  if ('encrypted' in socket) socket.destroy();
  else socket.resetAndDestroy();
}
