import { Socket as NodeSocket, type Socket, type SocketConstructorOpts } from 'node:net';
import { nativeSockets } from './native.js';
import { tcpSocketFd } from './socket-fd.js';

/**
 * Size of the one read buffer a channel in borrowed-read mode reuses for every read: larger reads
 * mean fewer system calls, and reuse means no allocation or page faults per chunk.
 */
const BORROWED_READ_SIZE = 256 * 1024;

/**
 * Moves a connected socket onto a new Node socket that reads into one reused buffer (`onread`).
 * Node offers `onread` only to sockets it creates from options, not to accepted ones, so the
 * descriptor is duplicated and the original Node socket closed; the connection itself is untouched.
 */
export function withReusedReadBuffer(socket: Socket, onChunk: (chunk: Buffer) => void): Socket {
  const fd = tcpSocketFd(socket);
  if (fd === undefined) return socket;
  const api = nativeSockets();
  const copy = api.dup(fd);
  socket.destroy();
  return new NodeSocket({
    fd: copy,
    allowHalfOpen: true,
    // Paused until the channel has a 'data' listener (see the constructor).
    pauseOnCreate: true,
    onread: {
      buffer: Buffer.allocUnsafe(BORROWED_READ_SIZE),
      callback: (n: number, buf: Uint8Array) => {
        onChunk(Buffer.from(buf.buffer, buf.byteOffset, n));
        return true;
      },
    },
  } as SocketConstructorOpts);
}
