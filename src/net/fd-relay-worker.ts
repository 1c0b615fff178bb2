/**
 * The worker thread of an FdRelay (fd-relay.ts): moves bytes from one descriptor to another until
 * the source ends (see RelayMethod for the two ways). It blocks in poll(2) while nothing can move,
 * which only a thread of its own may do: the main event loop stays free for timers and signals.
 * A stop request ends reading, not delivery: whatever was taken from the source reaches the sink
 * (and in copy mode, what standard input already holds is still sent).
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  type CreateRelayTap,
  RELAY_STATE,
  type RelayStart,
  type RelayTap,
  type RelayTapHandle,
  type RelayWorkerMessage,
  type RelayWorkerSetup,
} from './fd-relay-protocol.js';
import { loadLibc } from './native.js';

const SPLICE_F_MOVE = 1;
const SPLICE_F_NONBLOCK = 2;
const POLLIN = 0x1;
const POLLOUT = 0x4;
const EINTR = 4;
const EAGAIN = 11;
const F_GETFL = 3;
const F_SETFL = 4;
const O_NONBLOCK = 0o4000;
const O_CLOEXEC = 0o2000000;
const F_SETPIPE_SZ = 1031;
/** Linux lets any user grow a pipe to 1 MiB: fewer, larger moves. Also the copy buffer's size. */
const CHUNK_BYTES = 1024 * 1024;
/**
 * When the source runs dry or the sink is full, nap once (usleep(0): the shortest timed sleep,
 * rounded up to the timer slack, 50 µs by default) before sleeping in poll(2). A bulk peer has
 * moved on by then, and is spared waking us up: on a virtual machine a cross-CPU wake-up is costly.
 * Measured on the 2-vCPU VM (2 GiB, listener role, against nc in the same runs): poll at once
 * 1.9 s, a 50 µs nap 1.6 s, usleep(0) 1.2 s, nc 1.7 s; client role (copy) 1.47 s → 1.36 s.
 */
const NAP_MICROSECONDS = 0;

type Side = 'source' | 'sink';

class SysError extends Error {
  constructor(
    readonly code: string,
    public side: Side,
  ) {
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

const data: RelayWorkerSetup & RelayStart = {
  ...(workerData as RelayWorkerSetup),
  source: -1,
  sink: -1,
  sinkIsPipe: false,
  taps: [],
};
const counters = new Float64Array(data.state, 0, 3);
const stopFlag = new Int32Array(data.state, RELAY_STATE.stopOffset, 1);
const pollFds = Buffer.alloc(3 * 8);
let stopping = false;
let napped = false;
/** Given every chunk moved, once the sink has it (RelayTapSpec); set for a copy loop only. */
let tap: RelayTap | undefined;

/** One tap that calls each of `taps` in turn. */
function allOf(taps: RelayTapHandle[]): RelayTap | undefined {
  if (taps.length <= 1) return taps[0]?.chunk;
  return (chunk, timeUs) => {
    for (const t of taps) t.chunk(chunk, timeUs);
  };
}
const nowUs = () => Math.round((performance.timeOrigin + performance.now()) * 1000);

/** Runs a call that returns a count: the count, or -1 for EAGAIN; other errors throw SysError. */
function counted(side: Side, call: () => number | bigint): number {
  for (;;) {
    const n = Number(call());
    if (n >= 0) return n;
    const errno = koffi.errno();
    if (errno === EINTR) continue;
    if (errno === EAGAIN) return -1;
    throw new SysError(errnoName(errno), side);
  }
}

const splice = (side: Side, from: number, to: number, bytes: number) =>
  counted(side, () => fSplice(from, null, to, null, bytes, SPLICE_F_MOVE | SPLICE_F_NONBLOCK));

function count(counter: number, bytes: number): void {
  counters[counter] = (counters[counter] ?? 0) + bytes;
  // The idle timer's (-i) view of this direction; one clock read per chunk costs nothing measurable.
  counters[RELAY_STATE.movedAt] = Date.now();
  napped = false;
}

function stopAsked(): boolean {
  if (Atomics.load(stopFlag, 0) !== 0) stopping = true;
  return stopping;
}

type Waits = Array<{ fd: number; events: number }>;

/** Nothing could move: the first time since the last progress nap, then sleep in poll(2). */
function wait(waits: Waits): void {
  if (napped) {
    waitFor(waits);
    return;
  }
  napped = true;
  fUsleep(NAP_MICROSECONDS);
}

/**
 * Sleeps until every descriptor is ready for its events (or reports an error or hang-up, which
 * the next call then meets). Returns early when a stop is asked, unless stopping already.
 */
function waitFor(waits: Waits): void {
  let pending = waits;
  while (pending.length > 0) {
    let count = 0;
    for (const w of pending) put(count++, w.fd, w.events);
    const watchWake = !stopping;
    if (watchWake) put(count++, data.wake, POLLIN);
    if (Number(fPoll(pollFds, count, -1)) < 0) {
      if (koffi.errno() === EINTR) continue;
      throw new SysError(errnoName(koffi.errno()), 'source');
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

/** Writes `bytes` of `buf` to the sink, waiting while it is full. */
function writeAll(buf: Buffer, bytes: number): void {
  for (let at = 0; at < bytes; ) {
    const n = counted('sink', () => fWrite(data.sink, buf.subarray(at), bytes - at));
    if (n < 0) wait([{ fd: data.sink, events: POLLOUT }]);
    else {
      at += n;
      count(RELAY_STATE.delivered, n);
    }
  }
}

function copyLoop(): RelayWorkerMessage {
  const flags = Number(fFcntl(data.source, F_GETFL, 0));
  if (flags >= 0) fFcntl(data.source, F_SETFL, flags | O_NONBLOCK);
  fFcntl(data.source, F_SETPIPE_SZ, CHUNK_BYTES); // fails harmlessly unless a pipe
  const buf = Buffer.allocUnsafe(CHUNK_BYTES);
  while (!stopAsked()) {
    const n = counted('source', () => fRead(data.source, buf, buf.length));
    if (n === 0) return { type: 'end' };
    if (n < 0) {
      wait([{ fd: data.source, events: POLLIN }]);
      continue;
    }
    count(RELAY_STATE.taken, n);
    // The tap's time is when the bytes were read, before they go on (a reply can be faster).
    const at = tap ? nowUs() : 0;
    writeAll(buf, n);
    tap?.(buf.subarray(0, n), at);
  }
  // Asked to stop (the connection is closing): what standard input holds already was typed or
  // piped before that, so it still goes out, as it would have had it been read a moment sooner.
  const n = counted('source', () => fRead(data.source, buf, buf.length));
  if (n > 0) {
    count(RELAY_STATE.taken, n);
    const at = tap ? nowUs() : 0;
    writeAll(buf, n);
    tap?.(buf.subarray(0, n), at);
  }
  return { type: 'stopped' };
}

function spliceLoop(): RelayWorkerMessage {
  // splice needs a pipe on one side: unless the sink is one, bytes pass through a private pipe.
  const pipe = data.sinkIsPipe ? undefined : privatePipe();
  try {
    while (!stopAsked()) {
      const n = pipe ? splice('source', data.source, pipe.write, CHUNK_BYTES) : directSplice();
      if (n === 0) return { type: 'end' };
      if (n < 0) {
        // Straight into a sink pipe, a full sink shows as EAGAIN just like an empty socket.
        const waits = [{ fd: data.source, events: POLLIN }];
        if (!pipe) waits.push({ fd: data.sink, events: POLLOUT });
        wait(waits);
        continue;
      }
      count(RELAY_STATE.taken, n);
      if (pipe) drain(pipe.read, n);
      else count(RELAY_STATE.delivered, n);
    }
    return { type: 'stopped' };
  } finally {
    if (pipe) {
      fClose(pipe.read);
      fClose(pipe.write);
    }
  }
}

function privatePipe(): { read: number; write: number } {
  const fds = Buffer.alloc(8);
  if (Number(fPipe2(fds, O_NONBLOCK | O_CLOEXEC)) < 0) throw new SysError(errnoName(koffi.errno()), 'source');
  const pipe = { read: fds.readInt32LE(0), write: fds.readInt32LE(4) };
  fFcntl(pipe.write, F_SETPIPE_SZ, CHUNK_BYTES);
  return pipe;
}

/** source → sink pipe in one call; EPIPE (the sink's reader left) is the sink's error. */
function directSplice(): number {
  try {
    return splice('source', data.source, data.sink, CHUNK_BYTES);
  } catch (err) {
    if (err instanceof SysError && err.code === 'EPIPE') err.side = 'sink';
    throw err;
  }
}

/** Set once the sink refuses splice (EINVAL: a file opened O_APPEND): the rest is copied. */
let copyBuffer: Buffer | undefined;

/** Delivers `bytes` from the private pipe to the sink. */
function drain(pipeRead: number, bytes: number): void {
  let left = bytes;
  while (left > 0) {
    if (copyBuffer) {
      const got = counted('source', () => fRead(pipeRead, copyBuffer!, Math.min(left, CHUNK_BYTES)));
      writeAll(copyBuffer, got);
      left -= got;
      continue;
    }
    let n: number;
    try {
      n = splice('sink', pipeRead, data.sink, left);
    } catch (err) {
      if (!(err instanceof SysError) || err.code !== 'EINVAL') throw err;
      copyBuffer = Buffer.allocUnsafe(CHUNK_BYTES);
      continue;
    }
    if (n < 0) wait([{ fd: data.sink, events: POLLOUT }]);
    else {
      left -= n;
      count(RELAY_STATE.delivered, n);
    }
  }
}

function run(): RelayWorkerMessage {
  try {
    // A tap needs the bytes in hand: splice would keep them out of the process.
    return data.method === 'copy' || tap ? copyLoop() : spliceLoop();
  } catch (err) {
    if (err instanceof SysError) return { type: 'error', side: err.side, code: err.code };
    return { type: 'error', side: 'source', code: String(err) };
  } finally {
    fClose(data.source);
    fClose(data.sink);
    fClose(data.wake);
  }
}

async function loadTap(spec: RelayStart['taps'][number], index: number): Promise<RelayTapHandle | undefined> {
  try {
    const mod = (await import(spec.module)) as { createRelayTap: CreateRelayTap };
    const made = mod.createRelayTap(spec.config as never, (message, transfer) => {
      const tapped: RelayWorkerMessage = { type: 'tap', tap: index, message };
      parentPort?.postMessage(tapped, transfer);
    });
    return typeof made === 'function' ? { chunk: made } : made;
  } catch (err) {
    // The bytes still move; only the tap is missing, and that is said.
    console.error(`sockrepl: relay tap: ${(err as Error).message}`);
    return undefined;
  }
}

// Booted ahead of need (FdRelay's constructor); the work comes in the one message.
parentPort?.once('message', async (start: RelayStart) => {
  Object.assign(data, start);
  const taps = (await Promise.all(start.taps.map(loadTap))).filter((t) => t !== undefined);
  tap = allOf(taps);
  const result = run();
  for (const t of taps) t.end?.();
  parentPort?.postMessage(result);
});
