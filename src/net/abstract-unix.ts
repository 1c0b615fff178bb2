import * as net from 'node:net';
import { nativeSockets } from './native.js';

/**
 * Linux abstract unix socket names (`@name`) with the exact address length. Node's own
 * listen('\0name') binds the name padded with NUL bytes to the full 108, which socat, systemd and
 * every C program see as another name; so the descriptor is made here (koffi) and handed to Node.
 */
const AF_UNIX = 1;
const SOCK_STREAM = 1;

/** sockaddr_un for `@name`: family, a NUL, the name; its length is exactly that. */
function abstractAddress(name: string): Buffer {
  const bytes = Buffer.from(name, 'utf8');
  const addr = Buffer.alloc(3 + bytes.length);
  addr.writeUInt16LE(AF_UNIX, 0);
  bytes.copy(addr, 3);
  return addr;
}

function withSocket<T>(use: (fd: number) => T): T {
  const api = nativeSockets();
  const fd = api.socket(AF_UNIX, SOCK_STREAM);
  try {
    return use(fd);
  } catch (err) {
    api.close(fd);
    throw err;
  }
}

/** A listening descriptor bound to the abstract name, for server.listen({ fd }). */
export function listenAbstract(name: string, backlog = 511): number {
  return withSocket((fd) => {
    const api = nativeSockets();
    api.bind(fd, abstractAddress(name));
    api.listen(fd, backlog);
    return fd;
  });
}

/** A socket connected to the abstract name (a unix connect completes at once, or fails). */
export function connectAbstract(name: string): net.Socket {
  const fd = withSocket((fd) => {
    nativeSockets().connect(fd, abstractAddress(name));
    return fd;
  });
  return new net.Socket({ fd, readable: true, writable: true, allowHalfOpen: true });
}
