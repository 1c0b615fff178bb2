import { createRequire } from 'node:module';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { loadLibc, NativeCallError } from './native.js';

/**
 * Waits for descriptors libuv cannot watch (unix datagram sockets, see unix-dgram-fd.ts) to become
 * readable: one thread for the whole process blocks in poll(2) over all of them and a wake pipe,
 * and tells this thread which are ready. Before, each descriptor waited on a libuv pool thread
 * (koffi's `.async()`): four of them took the whole pool (UV_THREADPOOL_SIZE), and every fs and
 * dns call in the process then hung.
 *
 * A watch is one-shot: once its descriptor is reported ready it is not watched again until
 * `arm()`, so the owner reads at its own pace. `close()` resolves once the thread no longer holds
 * the descriptor, which may then be closed (never a poll on a closed, perhaps reused, number).
 *
 * A thread blocked in poll(2) cannot be stopped by Node, and would hold the process at exit: the
 * thread polls only while a watch is armed (the process is kept alive meanwhile, as by a socket),
 * and on 'exit' a shared flag and a wake byte send it back to its event loop, where Node ends it.
 */

export const POLLIN = 0x1;
export const POLLNVAL = 0x20;

export interface PollHandlers {
  /** The descriptor is ready (poll's revents: POLLIN, POLLERR, POLLHUP or POLLNVAL). */
  ready(revents: number): void;
  /** The polling thread failed: no more readiness will come. */
  failed(err: NativeCallError): void;
}

export interface PollWatch {
  /** Watch (again): `ready` follows once, when the descriptor is readable. */
  arm(): void;
  /** Stops watching; resolves once the descriptor may be closed. */
  close(): Promise<void>;
}

/** Watches `fd` on the shared polling thread; call `arm()` to start. Linux only. */
export function watchReadable(fd: number, handlers: PollHandlers): PollWatch {
  poller ??= new Poller();
  return poller.add(fd, handlers);
}

let poller: Poller | undefined;

type ToThread = { op: 'watch'; id: number; fd: number } | { op: 'unwatch'; id: number };
type FromThread =
  | { type: 'ready'; id: number; revents: number }
  | { type: 'removed'; id: number }
  | { type: 'failed'; message: string };

// The thread's code, evaluated in the worker: no file to find from dist/ or from src/ (as
// tube/bounded-regex.ts). Messages come through `port`; while it blocks in poll(2) they are taken
// with receiveMessageOnPort when the wake pipe says some were posted.
const THREAD_SOURCE = `
const { receiveMessageOnPort, workerData } = require('node:worker_threads');
const { port, wake, koffiPath, state } = workerData;
const koffi = require(koffiPath);
const lib = koffi.load('libc.so.6');
const poll = lib.func('int poll(void *, unsigned long, int)');
const read = lib.func('long read(int, void *, size_t)');
const POLLIN = 1, EINTR = 4;
const exiting = new Int32Array(state);
const active = new Map(); // id -> fd
const scratch = Buffer.alloc(256);
function apply(c) {
  if (c.op === 'watch') active.set(c.id, c.fd);
  else {
    active.delete(c.id);
    port.postMessage({ type: 'removed', id: c.id });
  }
}
function pollWhileWatched() {
  while (active.size > 0 && Atomics.load(exiting, 0) === 0) {
    const ids = [...active.keys()];
    const fds = Buffer.alloc((ids.length + 1) * 8);
    fds.writeInt32LE(wake, 0);
    fds.writeInt16LE(POLLIN, 4);
    ids.forEach((id, i) => {
      fds.writeInt32LE(active.get(id), (i + 1) * 8);
      fds.writeInt16LE(POLLIN, (i + 1) * 8 + 4);
    });
    if (Number(poll(fds, ids.length + 1, -1)) < 0) {
      if (koffi.errno() === EINTR) continue;
      active.clear();
      port.postMessage({ type: 'failed', message: 'poll: errno ' + koffi.errno() });
      return;
    }
    if (fds.readInt16LE(6) !== 0) {
      while (Number(read(wake, scratch, scratch.length)) > 0);
      for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) apply(m.message);
    }
    ids.forEach((id, i) => {
      const revents = fds.readInt16LE((i + 1) * 8 + 6);
      if (revents === 0 || !active.has(id)) return;
      active.delete(id);
      port.postMessage({ type: 'ready', id, revents });
    });
  }
}
port.on('message', (c) => {
  apply(c);
  pollWhileWatched();
});
`;

const O_NONBLOCK = 0o4000;
const O_CLOEXEC = 0o2000000;
const WAKE_BYTE = Buffer.from([1]);

interface Entry {
  fd: number;
  handlers: PollHandlers;
  armed: boolean;
  closed?: Promise<void>;
  removed?: () => void;
}

class Poller {
  private readonly entries = new Map<number, Entry>();
  private nextId = 1;
  /** Armed watches plus closes waiting for the thread: while any, the process stays alive. */
  private holds = 0;
  private readonly port: MessagePort;
  private readonly wakeWrite: number;
  private readonly writeFd: (fd: number, buf: Buffer, n: number) => number | bigint;
  private readonly exiting = new Int32Array(new SharedArrayBuffer(4));
  private failure: NativeCallError | undefined;

  constructor() {
    const { lib, check } = loadLibc();
    const pipe2 = lib.func('int pipe2(void *, int)');
    this.writeFd = lib.func('long write(int, const void *, size_t)');
    const fds = Buffer.alloc(8);
    check('pipe2', pipe2(fds, O_NONBLOCK | O_CLOEXEC));
    this.wakeWrite = fds.readInt32LE(4);
    const { port1, port2 } = new MessageChannel();
    const workerData = {
      port: port2,
      wake: fds.readInt32LE(0),
      koffiPath: createRequire(import.meta.url).resolve('koffi'),
      state: this.exiting.buffer,
    };
    // No execArgv of this process: `--input-type=module` there would make the source an ES module.
    const worker = new Worker(THREAD_SOURCE, { eval: true, execArgv: [], workerData, transferList: [port2] });
    this.port = port1;
    port1.on('message', (m: FromThread) => this.receive(m));
    worker.on('error', (err) => this.fail(`poller thread: ${err.message}`));
    worker.on('exit', () => this.fail('poller thread ended'));
    // Last: a 'message' listener added after unref() would hold the process open again.
    port1.unref();
    worker.unref();
    process.once('exit', () => {
      Atomics.store(this.exiting, 0, 1);
      this.wake();
    });
  }

  add(fd: number, handlers: PollHandlers): PollWatch {
    const id = this.nextId++;
    const entry: Entry = { fd, handlers, armed: false };
    this.entries.set(id, entry);
    return { arm: () => this.arm(id, entry), close: () => this.close(id, entry) };
  }

  private arm(id: number, entry: Entry): void {
    if (entry.armed || entry.closed) return;
    if (this.failure) {
      const err = this.failure;
      process.nextTick(() => entry.handlers.failed(err));
      return;
    }
    entry.armed = true;
    this.hold(1);
    this.send({ op: 'watch', id, fd: entry.fd });
  }

  private close(id: number, entry: Entry): Promise<void> {
    if (entry.closed) return entry.closed;
    if (entry.armed) {
      entry.armed = false;
      this.hold(-1);
    }
    if (this.failure || !this.entries.has(id)) {
      this.entries.delete(id);
      entry.closed = Promise.resolve();
      return entry.closed;
    }
    this.hold(1);
    entry.closed = new Promise<void>((resolve) => {
      entry.removed = () => {
        this.hold(-1);
        resolve();
      };
    });
    this.send({ op: 'unwatch', id });
    return entry.closed;
  }

  private receive(m: FromThread): void {
    if (m.type === 'failed') {
      this.fail(m.message);
      return;
    }
    const entry = this.entries.get(m.id);
    if (!entry) return;
    if (m.type === 'removed') {
      this.entries.delete(m.id);
      entry.removed?.();
      return;
    }
    if (!entry.armed) return;
    entry.armed = false;
    this.hold(-1);
    entry.handlers.ready(m.revents);
  }

  private fail(message: string): void {
    if (this.failure) return;
    this.failure = new NativeCallError('poll', 0, message);
    for (const [id, entry] of this.entries) {
      if (entry.removed) {
        this.entries.delete(id);
        entry.removed();
      } else if (entry.armed) {
        entry.armed = false;
        this.hold(-1);
        entry.handlers.failed(this.failure);
      }
    }
  }

  private send(message: ToThread): void {
    this.port.postMessage(message);
    this.wake();
  }

  /** A byte on the wake pipe: the thread takes its messages (EAGAIN: a wake is pending anyway). */
  private wake(): void {
    this.writeFd(this.wakeWrite, WAKE_BYTE, 1);
  }

  private hold(delta: number): void {
    const before = this.holds;
    this.holds += delta;
    if (before === 0 && this.holds > 0) this.port.ref();
    else if (before > 0 && this.holds === 0) this.port.unref();
  }
}
