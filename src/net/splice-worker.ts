/**
 * The worker thread of a SpliceRelay (splice-relay.ts): moves a TCP socket's incoming bytes to a
 * sink descriptor with splice(2), so they are never copied into the process. It blocks in poll(2)
 * while there is nothing to move, which only a thread of its own may do; the main event loop
 * stays free for standard input, timers and signals.
 *
 * Socket → pipe → sink: splice needs a pipe on one side, so unless the sink is a pipe itself the
 * bytes pass through a private one. A sink that refuses splice (a file opened O_APPEND, a terminal)
 * gets the rest by read/write from that pipe instead. Nothing read from the socket is dropped: a
 * stop request ends reading, not delivery.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadLibc } from './native.js';
import { SPLICE_STATE, type SpliceWorkerData, type SpliceWorkerMessage } from './splice-protocol.js';

const SPLICE_F_MOVE = 1;
const SPLICE_F_NONBLOCK = 2;
const POLLIN = 0x1;
const POLLOUT = 0x4;
const EINTR = 4;
const EAGAIN = 11;
const F_SETPIPE_SZ = 1031;
/** Linux lets any user grow a pipe to 1 MiB: fewer, larger moves. */
const PIPE_BYTES = 1024 * 1024;
const COPY_BYTES = 256 * 1024;
/**
 * After the socket runs dry, nap once (usleep(0): the shortest timed sleep, rounded up to the
 * timer slack, 50 µs by default) before sleeping in poll(2). A bulk sender has queued more by then,
 * and is spared waking us up: on a virtual machine a cross-CPU wake-up is costly. Measured on the
 * 2-vCPU VM (2 GiB, listener role, against nc in the same runs): poll at once 1.9 s, 50 µs nap
 * 1.6 s, usleep(0) 1.2 s, nc 1.7 s.
 */
const NAP_MICROSECONDS = 0;

class SysError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

const { koffi, lib, errnoName } = loadLibc();
const fSplice = lib.func('long splice(int, void *, int, void *, size_t, unsigned int)');
const fPoll = lib.func('int poll(void *, unsigned long, int)');
const fPipe2 = lib.func('int pipe2(void *, int)');
const fRead = lib.func('long read(int, void *, size_t)');
const fWrite = lib.func('long write(int, const void *, size_t)');
const fFcntl = lib.func('int fcntl(int, int, int)');
const fClose = lib.func('int close(int)');
const fUsleep = lib.func('int usleep(unsigned int)');

/** Runs a call that returns a count: the count, or -1 for EAGAIN; other errors throw SysError. */
function counted(call: () => number | bigint): number {
  for (;;) {
    const n = Number(call());
    if (n >= 0) return n;
    const errno = koffi.errno();
    if (errno === EINTR) continue;
    if (errno === EAGAIN) return -1;
    throw new SysError(errnoName(errno));
  }
}

const splice = (from: number, to: number, bytes: number) =>
  counted(() => fSplice(from, null, to, null, bytes, SPLICE_F_MOVE | SPLICE_F_NONBLOCK));

const data = workerData as SpliceWorkerData;
const state = new Float64Array(data.state, 0, 2);
const stopFlag = new Int32Array(data.state, SPLICE_STATE.stopOffset, 1);
const pollFds = Buffer.alloc(3 * 8);
let stopping = false;

/** A private pipe between socket and sink, unless the sink is a pipe already. */
function privatePipe(): { read: number; write: number } | undefined {
  if (data.sinkIsPipe) return undefined;
  const fds = Buffer.alloc(8);
  if (Number(fPipe2(fds, 0o4000 | 0o2000000)) < 0) throw new SysError(errnoName(koffi.errno()));
  const pipe = { read: fds.readInt32LE(0), write: fds.readInt32LE(4) };
  fFcntl(pipe.write, F_SETPIPE_SZ, PIPE_BYTES);
  return pipe;
}

/**
 * Sleeps until every descriptor is ready for its events (or reports an error or hang-up, which
 * the next call then meets). Returns early when a stop is asked, unless `stopping` already.
 */
function waitFor(waits: Array<{ fd: number; events: number }>): void {
  let pending = waits;
  while (pending.length > 0) {
    let count = 0;
    for (const w of pending) put(count++, w.fd, w.events);
    const watchWake = !stopping;
    if (watchWake) put(count++, data.wake, POLLIN);
    if (Number(fPoll(pollFds, count, -1)) < 0) {
      if (koffi.errno() === EINTR) continue;
      throw new SysError(errnoName(koffi.errno()));
    }
    if (watchWake && pollFds.readInt16LE((count - 1) * 8 + 6) !== 0) {
      stopping = true;
      return;
    }
    pending = pending.filter((_, i) => pollFds.readInt16LE(i * 8 + 6) === 0);
  }
}

function put(index: number, fd: number, events: number): void {
  pollFds.writeInt32LE(fd, index * 8);
  pollFds.writeInt16LE(events, index * 8 + 4);
  pollFds.writeInt16LE(0, index * 8 + 6);
}

function count(counter: number, bytes: number): void {
  state[counter] = (state[counter] ?? 0) + bytes;
}

function stopAsked(): boolean {
  if (Atomics.load(stopFlag, 0) !== 0) stopping = true;
  return stopping;
}

/** Set once the sink refuses splice (EINVAL): the rest goes by read/write through this buffer. */
let copyBuffer: Buffer | undefined;

/** Copies up to `bytes` from the private pipe to the sink; returns how many. */
function copyOut(from: number, buf: Buffer, bytes: number): number {
  const got = counted(() => fRead(from, buf, Math.min(bytes, buf.length)));
  for (let at = 0; at < got; ) {
    const n = sinkCall(() => counted(() => fWrite(data.sink, buf.subarray(at), got - at)));
    if (n < 0) waitFor([{ fd: data.sink, events: POLLOUT }]);
    else at += n;
  }
  return got;
}

/** A call on the sink: its errors are the sink's (EPIPE: the reader went away). */
function sinkCall(call: () => number): number {
  try {
    return call();
  } catch (err) {
    throw Object.assign(err as Error, { side: 'sink' });
  }
}

/** Delivers everything in the private pipe to the sink. */
function drain(pipe: { read: number }, bytes: number): void {
  let left = bytes;
  while (left > 0) {
    let n: number;
    try {
      n = copyBuffer
        ? copyOut(pipe.read, copyBuffer, left)
        : sinkCall(() => splice(pipe.read, data.sink, left));
    } catch (err) {
      if ((err as SysError).code !== 'EINVAL' || copyBuffer) throw err;
      copyBuffer = Buffer.allocUnsafe(COPY_BYTES);
      continue;
    }
    if (n < 0) waitFor([{ fd: data.sink, events: POLLOUT }]);
    else {
      left -= n;
      count(SPLICE_STATE.delivered, n);
    }
  }
}

function relay(): SpliceWorkerMessage {
  const pipe = privatePipe();
  let napped = false;
  try {
    while (!stopAsked()) {
      // Straight into a sink pipe: a full sink shows as EAGAIN just like an empty socket.
      const n = pipe ? splice(data.source, pipe.write, PIPE_BYTES) : directSplice();
      if (n > 0) {
        count(SPLICE_STATE.received, n);
        if (pipe) drain(pipe, n);
        else count(SPLICE_STATE.delivered, n);
        napped = false;
      } else if (n === 0) {
        return { type: 'end' };
      } else if (!napped) {
        napped = true;
        fUsleep(NAP_MICROSECONDS);
      } else {
        const waits = [{ fd: data.source, events: POLLIN }];
        if (!pipe) waits.push({ fd: data.sink, events: POLLOUT });
        waitFor(waits);
      }
    }
    return { type: 'stopped' };
  } catch (err) {
    const side = (err as { side?: 'sink' }).side ?? 'source';
    return { type: 'error', side, code: err instanceof SysError ? err.code : String(err) };
  } finally {
    if (pipe) {
      fClose(pipe.read);
      fClose(pipe.write);
    }
  }
}

/** source → sink pipe in one call; EPIPE (the sink's reader left) is the sink's error. */
function directSplice(): number {
  try {
    return splice(data.source, data.sink, PIPE_BYTES);
  } catch (err) {
    if ((err as SysError).code === 'EPIPE') Object.assign(err as Error, { side: 'sink' });
    throw err;
  }
}

const outcome = relay();
fClose(data.source);
fClose(data.wake);
parentPort?.postMessage(outcome);
