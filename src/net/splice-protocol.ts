/** What the main thread and a splice worker (splice-worker.ts) share. */

export interface SpliceWorkerData {
  /** The worker's own duplicate of the socket; it closes it when done. */
  source: number;
  sink: number;
  /** The sink is a pipe: splice straight into it, with no private pipe between. */
  sinkIsPipe: boolean;
  /** Read end of a pipe the main thread writes to when it asks for a stop; the worker closes it. */
  wake: number;
  /** SPLICE_STATE.bytes bytes: counters the worker writes and a stop flag the main thread sets. */
  state: SharedArrayBuffer;
}

/** Layout of SpliceWorkerData.state: two Float64 counters, then an Int32 stop flag. */
export const SPLICE_STATE = {
  received: 0,
  delivered: 1,
  stopOffset: 16,
  bytes: 24,
} as const;

export type SpliceWorkerMessage =
  /** The peer's FIN: everything before it is in the sink. */
  | { type: 'end' }
  /** Stopped on request: everything read from the socket is in the sink. */
  | { type: 'stopped' }
  /** `source`: the socket failed (ECONNRESET...); `sink`: writing failed (EPIPE...). */
  | { type: 'error'; side: 'source' | 'sink'; code: string };
