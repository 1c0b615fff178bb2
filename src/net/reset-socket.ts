import type { Socket } from 'node:net';
import { nativeSockets } from './native.js';
import { tcpSocketFd } from './socket-fd.js';

/**
 * Closes a TCP socket abortively: the kernel sends RST and drops whatever is unsent.
 *
 * Node's `resetAndDestroy()` asks libuv for `uv_tcp_close_reset`, which refuses a handle whose write
 * side is shut down (UV_EINVAL) and then closes it gracefully: after `shutdown write` the peer saw no
 * RST, the socket sat in FIN-WAIT-2 and the process did not exit. SO_LINGER {on, 0} followed by
 * close(2) sends RST in every state that has a peer to tell (ESTABLISHED, CLOSE-WAIT, FIN-WAIT-1/2),
 * so it is used whenever the descriptor can be reached; Node's call remains the fallback.
 */
export function resetSocket(socket: Socket): void {
  if (socket.destroyed) return;
  const fd = tcpSocketFd(socket);
  if (fd !== undefined && !socket.connecting) {
    try {
      nativeSockets().setLinger(fd, true, 0);
      socket.destroy();
      return;
    } catch {
      // No native calls here (or the descriptor is already gone): Node's own reset below.
    }
  }
  socket.resetAndDestroy();
}
