import { POLLNVAL, type PollWatch, watchReadable } from './fd-poller.js';
import { type Libc, loadLibc, NativeCallError, nativeSockets } from './native.js';

/**
 * A unix datagram descriptor (AF_UNIX, SOCK_DGRAM) driven from JavaScript. Node has no such
 * socket, and libuv cannot poll it for us: net.Socket refuses the descriptor type, and a dgram
 * handle opened on it reports every sender's address as '' (so a listener could not answer).
 *
 * Readiness: the process's one polling thread (fd-poller.ts) says when the socket is readable; the
 * reads themselves are non-blocking recvfrom calls on the main thread. Closing waits until that
 * thread has let go of the descriptor, so it never polls a closed (and perhaps reused) number.
 *
 * Sending is a non-blocking sendto. EAGAIN (the receiver's queue is full: Linux keeps only
 * net.unix.max_dgram_qlen datagrams) is retried on a short growing timer rather than by polling
 * for POLLOUT, because an unconnected socket's POLLOUT says nothing about the receiver's queue
 * and would spin.
 */

const AF_UNIX = 1;
const EBADF = 9;
const MSG_DONTWAIT = 0x40;
const MSG_NOSIGNAL = 0x4000;
const FIONREAD = 0x541b;
/** Datagrams read per wake-up before yielding to the event loop (the next poll returns at once). */
const READ_BATCH = 64;
/** sockaddr_un is at most 110 bytes on Linux. */
const SOCKADDR_MAX = 110;
const RETRY_MAX_MS = 50;

interface Calls {
  libc: Libc;
  sendto: ReturnType<Libc['lib']['func']>;
  recvfrom: ReturnType<Libc['lib']['func']>;
  getsockname: ReturnType<Libc['lib']['func']>;
  ioctl: ReturnType<Libc['lib']['func']>;
}

let calls: Calls | undefined;

function libcCalls(): Calls {
  if (calls) return calls;
  if (process.platform !== 'linux')
    throw new NativeCallError('socket', 0, 'ENOTSUP: unix datagram sockets are supported on Linux only');
  const libc = loadLibc();
  const { lib } = libc;
  calls = {
    libc,
    sendto: lib.func('intptr_t sendto(int, const void *, uintptr_t, int, const void *, uint32)'),
    recvfrom: lib.func('intptr_t recvfrom(int, void *, uintptr_t, int, void *, _Inout_ uint32 *)'),
    getsockname: lib.func('int getsockname(int, void *, _Inout_ uint32 *)'),
    ioctl: lib.func('int ioctl(int, unsigned long, _Out_ int *)'),
  };
  return calls;
}

/** A new non-blocking, close-on-exec AF_UNIX SOCK_DGRAM descriptor. */
export function unixDgramSocket(): number {
  libcCalls();
  const api = nativeSockets();
  return api.socket(AF_UNIX, api.c.SOCK_DGRAM);
}

/** The socket's own address, as raw sockaddr_un bytes. */
export function localSockaddr(fd: number): Buffer {
  const { getsockname, libc } = libcCalls();
  const addr = Buffer.alloc(SOCKADDR_MAX);
  const len = [SOCKADDR_MAX];
  libc.check('getsockname', getsockname(fd, addr, len));
  return addr.subarray(0, len[0]);
}

export type SendDone = (err?: NativeCallError) => void;

interface Pending {
  data: Buffer;
  to: Buffer | undefined;
  done: SendDone;
}

export interface DatagramFdEvents {
  /** One datagram and its sender's sockaddr_un (2 bytes when the sender has no address). */
  datagram(data: Buffer, from: Buffer): void;
  /** A receive failed; the owner decides whether the socket lives on. */
  error(err: NativeCallError): void;
  /** Every queued datagram has reached the kernel. */
  drained(): void;
}

export class DatagramFd {
  private readonly c = libcCalls();
  private readonly watch: PollWatch;
  private paused = false;
  private closing = false;
  private buf = Buffer.alloc(64 * 1024);
  private readonly queue: Pending[] = [];
  private retryMs = 0;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly fd: number,
    private readonly on: DatagramFdEvents,
  ) {
    this.watch = watchReadable(fd, {
      ready: (revents) => this.ready(revents),
      failed: (err) => this.on.error(err),
    });
    this.arm();
  }

  /** Datagrams waiting for the receiver's queue to have room. */
  get queued(): number {
    return this.queue.length;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.arm();
  }

  /**
   * Sends one datagram (to `to`, or to the connected peer). Returns false when it had to wait for
   * room ('drained' follows). `done` runs once it reached the kernel, or with the failure
   * (EMSGSIZE, ECONNREFUSED...), or without one when the socket closed first.
   */
  send(data: Buffer, to: Buffer | undefined, done: SendDone): boolean {
    if (this.queue.length > 0) {
      this.queue.push({ data, to, done });
      return false;
    }
    let sent: boolean;
    try {
      sent = this.trySend(data, to);
    } catch (err) {
      process.nextTick(done, err as NativeCallError);
      return true;
    }
    if (sent) {
      process.nextTick(done);
      return true;
    }
    this.queue.push({ data, to, done });
    this.scheduleRetry();
    return false;
  }

  /** True when sent, false on EAGAIN; throws on any other failure. */
  private trySend(data: Buffer, to: Buffer | undefined): boolean {
    const { sendto, libc } = this.c;
    const rc = Number(
      sendto(this.fd, data, data.length, MSG_DONTWAIT | MSG_NOSIGNAL, to ?? null, to?.length ?? 0),
    );
    if (rc >= 0) return true;
    const errno = libc.koffi.errno();
    const code = libc.errnoName(errno);
    if (code === 'EAGAIN' || code === 'EWOULDBLOCK') return false;
    throw new NativeCallError('sendto', errno, code);
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.closing) return;
    this.retryMs = Math.min(RETRY_MAX_MS, Math.max(1, this.retryMs * 2));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.flushQueue();
    }, this.retryMs);
  }

  private flushQueue(): void {
    while (this.queue.length > 0 && !this.closing) {
      const next = this.queue[0]!;
      let sent: boolean;
      try {
        sent = this.trySend(next.data, next.to);
      } catch (err) {
        this.queue.shift();
        next.done(err as NativeCallError);
        continue;
      }
      if (!sent) {
        this.scheduleRetry();
        return;
      }
      this.retryMs = 0;
      this.queue.shift();
      next.done();
    }
    if (this.queue.length === 0) this.on.drained();
  }

  private arm(): void {
    if (this.closing || this.paused) return;
    this.watch.arm();
  }

  private ready(revents: number): void {
    if (this.closing) return;
    if (revents & POLLNVAL) {
      this.on.error(new NativeCallError('poll', EBADF, 'EBADF'));
      return;
    }
    this.readBatch();
    this.arm();
  }

  private readBatch(): void {
    const { recvfrom, ioctl, libc } = this.c;
    for (let i = 0; i < READ_BATCH && !this.paused && !this.closing; i++) {
      // The next datagram's size (Linux reports it for unix datagram sockets): the buffer grows to
      // fit, so no datagram is ever truncated.
      const size = [0];
      if (ioctl(this.fd, FIONREAD, size) === 0 && size[0]! > this.buf.length)
        this.buf = Buffer.alloc(size[0]!);
      const from = Buffer.alloc(SOCKADDR_MAX);
      const fromLen = [SOCKADDR_MAX];
      const rc = Number(recvfrom(this.fd, this.buf, this.buf.length, MSG_DONTWAIT, from, fromLen));
      if (rc < 0) {
        const errno = libc.koffi.errno();
        const code = libc.errnoName(errno);
        if (code === 'EAGAIN' || code === 'EWOULDBLOCK' || code === 'EINTR') return;
        this.on.error(new NativeCallError('recvfrom', errno, code));
        return;
      }
      this.on.datagram(Buffer.from(this.buf.subarray(0, rc)), from.subarray(0, fromLen[0]));
    }
  }

  /** Stops reading, drops what was never sent (its `done` still runs), closes the descriptors. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearTimeout(this.retryTimer);
    for (const p of this.queue.splice(0)) p.done();
    await this.watch.close();
    nativeSockets().close(this.fd);
  }
}
