import { createRequire } from 'node:module';
import { NetError } from '../errors.js';

/**
 * setsockopt/getsockopt and friends on a raw descriptor, through koffi. Node exposes only a few
 * socket options; everything else (SO_LINGER with a timeout, buffer sizes, TTL/TOS on TCP,
 * keepalive interval/count, SO_REUSEPORT before bind, TCP_INFO) goes through here.
 * koffi is loaded lazily so that plain connections never pay for it.
 */

export interface PlatformConstants {
  AF_INET: number;
  AF_INET6: number;
  SOCK_STREAM: number;
  SOCK_DGRAM: number;
  /** Flags or-ed into socket()'s type; 0 where the platform has none (set with fcntl instead). */
  SOCK_NONBLOCK_CLOEXEC: number;
  SOL_SOCKET: number;
  SO_REUSEADDR: number;
  SO_REUSEPORT: number;
  SO_KEEPALIVE: number;
  SO_LINGER: number;
  SO_SNDBUF: number;
  SO_RCVBUF: number;
  IPPROTO_IP: number;
  IP_TOS: number;
  IP_TTL: number;
  IPPROTO_IPV6: number;
  IPV6_UNICAST_HOPS: number;
  IPV6_TCLASS: number;
  IPV6_V6ONLY: number;
  IPPROTO_TCP: number;
  TCP_NODELAY: number;
  TCP_KEEPIDLE: number;
  TCP_KEEPINTVL: number;
  TCP_KEEPCNT: number;
  /** TCP_INFO on Linux, TCP_CONNECTION_INFO on macOS. */
  TCP_INFO: number;
  /** ioctl request for bytes not yet acknowledged by the peer (SIOCOUTQ / none on macOS). */
  SIOCOUTQ: number;
  /** sockaddr has a leading length byte (BSD) instead of a 16-bit family (Linux). */
  sockaddrHasLen: boolean;
  /** fcntl's duplicate-with-close-on-exec command. */
  F_DUPFD_CLOEXEC: number;
}

const LINUX: PlatformConstants = {
  AF_INET: 2,
  AF_INET6: 10,
  SOCK_STREAM: 1,
  SOCK_DGRAM: 2,
  SOCK_NONBLOCK_CLOEXEC: 0o4000 | 0o2000000,
  SOL_SOCKET: 1,
  SO_REUSEADDR: 2,
  SO_REUSEPORT: 15,
  SO_KEEPALIVE: 9,
  SO_LINGER: 13,
  SO_SNDBUF: 7,
  SO_RCVBUF: 8,
  IPPROTO_IP: 0,
  IP_TOS: 1,
  IP_TTL: 2,
  IPPROTO_IPV6: 41,
  IPV6_UNICAST_HOPS: 16,
  IPV6_TCLASS: 67,
  IPV6_V6ONLY: 26,
  IPPROTO_TCP: 6,
  TCP_NODELAY: 1,
  TCP_KEEPIDLE: 4,
  TCP_KEEPINTVL: 5,
  TCP_KEEPCNT: 6,
  TCP_INFO: 11,
  SIOCOUTQ: 0x5411,
  sockaddrHasLen: false,
  F_DUPFD_CLOEXEC: 1030,
};

const DARWIN: PlatformConstants = {
  AF_INET: 2,
  AF_INET6: 30,
  SOCK_STREAM: 1,
  SOCK_DGRAM: 2,
  SOCK_NONBLOCK_CLOEXEC: 0,
  SOL_SOCKET: 0xffff,
  SO_REUSEADDR: 0x4,
  SO_REUSEPORT: 0x200,
  SO_KEEPALIVE: 0x8,
  SO_LINGER: 0x1080, // SO_LINGER_SEC: the timeout in seconds, not clock ticks
  SO_SNDBUF: 0x1001,
  SO_RCVBUF: 0x1002,
  IPPROTO_IP: 0,
  IP_TOS: 3,
  IP_TTL: 4,
  IPPROTO_IPV6: 41,
  IPV6_UNICAST_HOPS: 4,
  IPV6_TCLASS: 36,
  IPV6_V6ONLY: 27,
  IPPROTO_TCP: 6,
  TCP_NODELAY: 0x1,
  TCP_KEEPIDLE: 0x10, // TCP_KEEPALIVE
  TCP_KEEPINTVL: 0x101,
  TCP_KEEPCNT: 0x102,
  TCP_INFO: 0x106, // TCP_CONNECTION_INFO
  SIOCOUTQ: -1,
  sockaddrHasLen: true,
  F_DUPFD_CLOEXEC: 67,
};

export function platformConstants(): PlatformConstants {
  if (process.platform === 'linux') return LINUX;
  if (process.platform === 'darwin') return DARWIN;
  throw new NetError(
    `socket options beyond Node's own are not supported on ${process.platform} yet`,
    'ENOTSUP',
  );
}

export interface NativeSocketApi {
  readonly c: PlatformConstants;
  socket(family: number, type: number): number;
  setInt(fd: number, level: number, name: number, value: number): void;
  getInt(fd: number, level: number, name: number): number;
  setLinger(fd: number, on: boolean, seconds: number): void;
  getLinger(fd: number): { on: boolean; seconds: number };
  getBytes(fd: number, level: number, name: number, size: number): Buffer;
  bind(fd: number, sockaddr: Buffer): void;
  listen(fd: number, backlog: number): void;
  connect(fd: number, sockaddr: Buffer): void;
  /** Bytes sent but not yet acknowledged (Linux SIOCOUTQ); undefined where unsupported. */
  unacked(fd: number): number | undefined;
  close(fd: number): void;
  /**
   * A second descriptor for the same open file (dup(2)), close-on-exec: a program started while
   * it is open does not inherit it (and so cannot keep a socket or a terminal open past its end).
   */
  dup(fd: number): number;
  /** Grows a pipe's kernel buffer (Linux F_SETPIPE_SZ); false where it cannot. */
  setPipeSize(fd: number, bytes: number): boolean;
  /** A new pipe: [read end, write end], both blocking and close-on-exec. */
  pipe(): [number, number];
}

let available: boolean | undefined;

/**
 * Whether the native calls load here (koffi may have no build for this platform); loads them.
 * Without them the fast paths (relay workers, the reused read buffer) stay off and bytes go the
 * ordinary way.
 */
export function nativeSocketsAvailable(): boolean {
  if (available === undefined) {
    try {
      nativeSockets();
      available = true;
    } catch {
      available = false;
    }
  }
  return available;
}

/** A failed libc call, with errno's name so errno.ts can describe it. */
export class NativeCallError extends Error {
  constructor(
    readonly call: string,
    readonly errno: number,
    readonly code: string,
  ) {
    super(`${call}: ${code}`);
  }
}

/**
 * koffi, the C library, and a checker that turns a negative return into a NativeCallError.
 * @internal Left out of the shipped declarations: koffi's own types load only as an ES module,
 * which a CommonJS TypeScript user could not resolve.
 */
export interface Libc {
  readonly koffi: typeof import('koffi');
  readonly lib: ReturnType<typeof import('koffi').load>;
  check(call: string, rc: number): number;
  /** errno's symbolic name: 11 → 'EAGAIN'. */
  errnoName(n: number): string;
}

let libc: Libc | undefined;

/**
 * Loads koffi and the C library once per thread. Throws a NetError naming the cause when it cannot.
 * @internal (see Libc)
 */
export function loadLibc(): Libc {
  if (libc) return libc;
  const require = createRequire(import.meta.url);
  let koffi: typeof import('koffi');
  try {
    koffi = require('koffi') as typeof import('koffi');
  } catch (err) {
    throw new NetError(`cannot load koffi for native socket calls: ${(err as Error).message}`, 'ENOTSUP', {
      cause: err,
    });
  }
  const lib = koffi.load(process.platform === 'darwin' ? 'libSystem.B.dylib' : 'libc.so.6');
  const osErrno = (koffi as unknown as { os: { errno: Record<string, number> } }).os.errno;
  const errnoName = (n: number) => Object.entries(osErrno).find(([, v]) => v === n)?.[0] ?? `errno ${n}`;
  libc = {
    koffi,
    lib,
    errnoName,
    check(call, rc) {
      if (rc < 0) {
        const n = koffi.errno();
        throw new NativeCallError(call, n, errnoName(n));
      }
      return rc;
    },
  };
  return libc;
}

let api: NativeSocketApi | undefined;

/** The socket calls below, bound once. Throws a NetError naming the cause when that cannot be done. */
export function nativeSockets(): NativeSocketApi {
  if (api) return api;
  const c = platformConstants();
  const { lib, check } = loadLibc();
  const fSocket = lib.func('int socket(int, int, int)');
  const fSetsockopt = lib.func('int setsockopt(int, int, int, const void *, uint32)');
  const fGetsockopt = lib.func('int getsockopt(int, int, int, _Out_ void *, _Inout_ uint32 *)');
  const fBind = lib.func('int bind(int, const void *, uint32)');
  const fListen = lib.func('int listen(int, int)');
  const fConnect = lib.func('int connect(int, const void *, uint32)');
  const fClose = lib.func('int close(int)');
  const fIoctl = lib.func('int ioctl(int, unsigned long, _Out_ int *)');
  const fFcntl = lib.func('int fcntl(int, int, int)');
  const fPipe = lib.func('int pipe(void *)');
  const fPipe2 = process.platform === 'linux' ? lib.func('int pipe2(void *, int)') : undefined;

  api = {
    c,
    socket(family, type) {
      const fd = check('socket', fSocket(family, type | c.SOCK_NONBLOCK_CLOEXEC, 0));
      if (c.SOCK_NONBLOCK_CLOEXEC === 0) {
        // BSD: no flags on socket(); F_SETFL O_NONBLOCK and F_SETFD FD_CLOEXEC instead.
        check('fcntl', fFcntl(fd, 4, 0x4));
        check('fcntl', fFcntl(fd, 2, 1));
      }
      return fd;
    },
    setInt(fd, level, name, value) {
      const buf = Buffer.alloc(4);
      buf.writeInt32LE(value);
      check('setsockopt', fSetsockopt(fd, level, name, buf, 4));
    },
    getInt(fd, level, name) {
      const buf = Buffer.alloc(4);
      const len = [4];
      check('getsockopt', fGetsockopt(fd, level, name, buf, len));
      return len[0] === 1 ? buf.readUInt8(0) : buf.readInt32LE(0);
    },
    setLinger(fd, on, seconds) {
      const buf = Buffer.alloc(8);
      buf.writeInt32LE(on ? 1 : 0, 0);
      buf.writeInt32LE(seconds, 4);
      check('setsockopt', fSetsockopt(fd, c.SOL_SOCKET, c.SO_LINGER, buf, 8));
    },
    getLinger(fd) {
      const buf = Buffer.alloc(8);
      check('getsockopt', fGetsockopt(fd, c.SOL_SOCKET, c.SO_LINGER, buf, [8]));
      return { on: buf.readInt32LE(0) !== 0, seconds: buf.readInt32LE(4) };
    },
    getBytes(fd, level, name, size) {
      const buf = Buffer.alloc(size);
      const len = [size];
      check('getsockopt', fGetsockopt(fd, level, name, buf, len));
      return buf.subarray(0, len[0]);
    },
    listen(fd, backlog) {
      check('listen', fListen(fd, backlog));
    },
    connect(fd, sockaddr) {
      check('connect', fConnect(fd, sockaddr, sockaddr.length));
    },
    bind(fd, sockaddr) {
      check('bind', fBind(fd, sockaddr, sockaddr.length));
    },
    unacked(fd) {
      if (c.SIOCOUTQ < 0) return undefined;
      const out = [0];
      if (fIoctl(fd, c.SIOCOUTQ, out) < 0) return undefined;
      return out[0];
    },
    close(fd) {
      fClose(fd);
    },
    dup(fd) {
      return check('dup', fFcntl(fd, c.F_DUPFD_CLOEXEC, 0));
    },
    setPipeSize(fd, bytes) {
      return process.platform === 'linux' && fFcntl(fd, 1031, bytes) >= 0;
    },
    pipe() {
      const fds = Buffer.alloc(8);
      // O_CLOEXEC: a program started meanwhile must not hold an end open.
      if (fPipe2) check('pipe2', fPipe2(fds, 0o2000000));
      else check('pipe', fPipe(fds));
      const ends: [number, number] = [fds.readInt32LE(0), fds.readInt32LE(4)];
      if (!fPipe2) for (const fd of ends) check('fcntl', fFcntl(fd, 2, 1));
      return ends;
    },
  };
  return api;
}
