import { Socket as NodeSocket, type Socket, type SocketConstructorOpts } from 'node:net';
import { nativeSockets } from './native.js';
import { tcpSocketFd } from './socket-fd.js';

/**
 * Size of the one read buffer that channels in borrowed-read mode reuse for every read: larger reads
 * mean fewer system calls, and reuse means no allocation or page faults per chunk.
 */
const BORROWED_READ_SIZE = 256 * 1024;

/**
 * The buffer, one for the whole process. Each read's bytes are handed to their channel's listeners
 * before the next read starts (the event loop reads one socket at a time, and a chunk is valid only
 * during its 'data' event), so every channel can read into the same memory. One buffer per channel
 * made `listen -k` with 10,000 idle clients account 2.5 GB of external memory, and the garbage
 * collections that this set off slowed every accept.
 */
let shared: Buffer | undefined;

function sharedBuffer(): Buffer {
  shared ??= Buffer.allocUnsafe(BORROWED_READ_SIZE);
  return shared;
}

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
      buffer: sharedBuffer(),
      callback: (n: number, buf: Uint8Array) => {
        onChunk(Buffer.from(buf.buffer, buf.byteOffset, n));
        return true;
      },
    },
  } as SocketConstructorOpts);
}

/**
 * True when Node holds none of the socket's bytes either way: nothing read and not yet handed on,
 * nothing queued to write, no 'drain' owed (the old socket would emit it to no one). Only then may
 * a socket read the ordinary way move onto the reused buffer (withReusedReadBuffer).
 */
export function quietSocket(socket: Socket): boolean {
  return (
    !socket.destroyed &&
    tcpSocketFd(socket) !== undefined &&
    socket.readableLength === 0 &&
    socket.writableLength === 0 &&
    !socket.writableNeedDrain
  );
}
