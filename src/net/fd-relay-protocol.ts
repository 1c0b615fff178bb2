/** What the main thread and a relay worker (fd-relay-worker.ts) share. */

/**
 * `splice`: splice(2), through a private pipe unless the sink is a pipe; bytes never enter the
 * process (socket → standard output). `copy`: read(2) and write(2) through one buffer (standard
 * input → socket: splicing a pipe into a socket hands the pipe's pages over, and the writer on the
 * other end must then allocate fresh ones, which measured slower than copying).
 */
export type RelayMethod = 'splice' | 'copy';

/** The worker's workerData: it boots with these, then waits for a RelayStart message. */
export interface RelayWorkerSetup {
  method: RelayMethod;
  /** Read end of a pipe the main thread writes to when it asks for a stop; the worker closes it. */
  wake: number;
  /** RELAY_STATE.bytes bytes: what the worker writes (counters, a time) and a stop flag the main thread sets. */
  state: SharedArrayBuffer;
}

/**
 * A tap: a module the worker loads (by URL) whose `createRelayTap(config, post)` returns a function
 * the worker calls with every chunk it moved, after the sink has it: the pcap writer, which writes
 * packets of its own from the worker, or the hex dumper (-x), which formats each chunk there and
 * posts the text to the main thread, the dump's one writer. With a tap, bytes must enter the
 * process: the worker copies (read/write) instead of splicing.
 */
export interface RelayTapSpec {
  module: string;
  config: unknown;
}

/** `timeUs`: microseconds since the epoch when the chunk was read. */
export type RelayTap = (chunk: Uint8Array, timeUs: number) => void;

/**
 * How a tap sends the main thread a message (FdRelay.addTap's `receive` gets it): on the relay's
 * own port, so it arrives before the relay's 'end' or 'stopped'. `transfer`: buffers handed over.
 */
export type RelayTapPost = (message: unknown, transfer?: ArrayBuffer[]) => void;

/** A tap that also wants to know when the relay is done (the -x dumper hands back what it holds). */
export interface RelayTapHandle {
  chunk: RelayTap;
  /** After the last chunk, whether the source ended or the relay was stopped. */
  end?: () => void;
}

/** What a tap module exports. */
export type CreateRelayTap = (config: never, post: RelayTapPost) => RelayTap | RelayTapHandle;

/** The one message the main thread sends: what to move. */
export interface RelayStart {
  /** The worker's own duplicates of both descriptors; it closes them when done. */
  source: number;
  sink: number;
  sinkIsPipe: boolean;
  taps: RelayTapSpec[];
}

/** Layout of RelayWorkerData.state: three Float64 values, then an Int32 stop flag. */
export const RELAY_STATE = {
  /** Float64 index: bytes taken from the source. */
  taken: 0,
  /** Float64 index: bytes written to the sink. */
  delivered: 1,
  /** Float64 index: Date.now() when bytes last moved either way (-i counts it as activity), 0 before. */
  movedAt: 2,
  stopOffset: 24,
  bytes: 32,
} as const;

export type RelayWorkerMessage =
  /** A message of tap number `tap` (RelayTapPost), in order with the chunks it saw. */
  | { type: 'tap'; tap: number; message: unknown }
  /** The source ended: every byte of it is in the sink. */
  | { type: 'end' }
  /** Stopped on request: every byte taken from the source is in the sink. */
  | { type: 'stopped' }
  /** Reading the source or writing the sink failed with this errno code. */
  | { type: 'error'; side: 'source' | 'sink'; code: string };
