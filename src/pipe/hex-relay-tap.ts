import { TrafficDumper } from '../codec/traffic-dump.js';
import type { RelayTapHandle, RelayTapPost } from '../net/fd-relay-protocol.js';

/**
 * The `-x` half of pipe mode's fast path: loaded by a relay worker (net/fd-relay-worker.ts), it
 * formats each chunk's dump on that thread, with the dumper the main thread would have used, and
 * posts the text to the main thread (HexTap.relayTap), which writes it: the dump keeps one writer,
 * so each chunk's dump stays whole beside the other direction's and the -v lines. The text the
 * main thread has not written yet is counted in `pending`; past PENDING_LIMIT the worker waits, so
 * a slow reader of the dump slows the data down instead of filling memory.
 */

export interface HexRelayTapConfig {
  conn: number;
  dir: 'in' | 'out';
  encoding: string;
  /** What the main thread's dumper held of a character the chunks before this worker began. */
  held: Uint8Array;
  /** One Int32: bytes of dump text posted and not yet written. */
  pending: SharedArrayBuffer;
}

/**
 * What the tap posts: one chunk's dump, UTF-8 in `text` (transferred) from `offset`, `length`
 * bytes; or, once the relay is done, what its dumper holds of an unfinished character, for the
 * main thread's dumper to go on from (the direction goes back to the ordinary path: listen -k).
 */
export type HexRelayMessage = { text: ArrayBuffer; offset: number; length: number } | { held: Uint8Array };

/** Dump text the main thread may have in hand before the worker waits: about 2 MiB of data. */
export const PENDING_LIMIT = 8 * 1024 * 1024;

export function createRelayTap(config: HexRelayTapConfig, post: RelayTapPost): RelayTapHandle {
  const dumper = new TrafficDumper({ encoding: config.encoding });
  dumper.hold(config.dir, config.conn, config.held);
  const pending = new Int32Array(config.pending);
  // The dump is formatted into one reused buffer (its bound is about 4.4 times the chunk), then
  // copied to one of its exact size to hand over: a fresh bound-sized buffer per chunk cost more
  // CPU (memory to map, garbage to collect) than the copy.
  let scratch = Buffer.alloc(0);
  const space = (n: number) => {
    if (scratch.length < n) scratch = Buffer.allocUnsafeSlow(n);
    return scratch;
  };
  const chunk = (bytes: Uint8Array, timeUs: number) => {
    const time = new Date(timeUs / 1000);
    const text = new Uint8Array(
      dumper.formatBytes({ dir: config.dir, conn: config.conn, time, bytes }, space),
    );
    for (let now = Atomics.load(pending, 0); now > PENDING_LIMIT; now = Atomics.load(pending, 0))
      Atomics.wait(pending, 0, now);
    Atomics.add(pending, 0, text.length);
    post({ text: text.buffer, offset: 0, length: text.length } satisfies HexRelayMessage, [text.buffer]);
  };
  const end = () => {
    const held = dumper.take(config.dir, config.conn);
    if (held.length > 0) post({ held } satisfies HexRelayMessage);
  };
  return { chunk, end };
}
