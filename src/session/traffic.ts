import type { Direction } from '../net/channel.js';
import type { Frame } from '../plugin/types.js';
import type { Conn } from './conn.js';
import type { DataEvent, SessionEvent } from './session-events.js';
import { textCodec } from './text-port.js';

/**
 * How a connection's bytes become `data` events: through the session's framer when framing is
 * on (one event per whole message), otherwise one per chunk; text decoded by a stateful decoder
 * for the views that want it (correct across chunk boundaries).
 */

/** What traffic needs from its session. */
export interface TrafficHost {
  readonly frameSpec: string | undefined;
  readonly settings: { encoding: string };
  /** Fill DataEvent.text (the JSON writer wants it; the screen decodes what it shows). */
  readonly decodeText: boolean;
  /** The direction no view shows (received data, with --send-only): never decoded. */
  readonly hiddenDir: Direction | undefined;
  record(event: SessionEvent): void;
  notice(text: string, level: 'info' | 'warn' | 'error', conn?: number): void;
}

const EMPTY = Buffer.alloc(0);
/** Frames kept per connection for `expect frame`; the oldest go first. */
const MAX_FRAMES = 1024;

/** A chunk that arrived or left: framed into messages, or shown as it is. */
export function traffic(host: TrafficHost, conn: Conn, dir: Direction, chunk: Buffer, stderr = false): void {
  const d = conn.dirs[dir];
  if (!d.framer) {
    pushData(host, conn, dir, chunk, undefined, stderr);
    return;
  }
  let frames: Frame[];
  try {
    frames = d.framer.decode(chunk);
  } catch (err) {
    // A stream that cannot be framed is shown raw from here on, and said so once.
    host.notice(
      `framing ${host.frameSpec} failed on connection ${conn.id} (${dir}): ${(err as Error).message}; showing raw chunks`,
      'error',
      conn.id,
    );
    d.framer = undefined;
    pushData(host, conn, dir, chunk, undefined);
    return;
  }
  for (const f of frames) pushFrame(host, conn, dir, f);
}

/** What a framer still holds when its direction ends (a last message without its terminator). */
export function flushFramer(host: TrafficHost, conn: Conn, dir: Direction): void {
  const d = conn.dirs[dir];
  if (!d.framer?.flush) return;
  try {
    for (const f of d.framer.flush()) pushFrame(host, conn, dir, f);
  } catch (err) {
    host.notice(`framing: ${(err as Error).message}`, 'warn', conn.id);
  }
}

function pushFrame(host: TrafficHost, conn: Conn, dir: Direction, f: Frame): void {
  const d = conn.dirs[dir];
  d.frameNo++;
  if (dir === 'in') {
    conn.frames.push(f);
    if (conn.frames.length > MAX_FRAMES) conn.frames.shift();
  }
  pushData(host, conn, dir, Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.length), d.frameNo);
}

function pushData(
  host: TrafficHost,
  conn: Conn,
  dir: Direction,
  bytes: Buffer,
  frame: number | undefined,
  stderr = false,
): void {
  const d = conn.dirs[dir];
  const event: DataEvent = { type: 'data', time: Date.now(), conn: conn.id, dir, bytes, prev: d.prev };
  if (frame !== undefined) event.frame = frame;
  if (stderr) event.stderr = true;
  if (host.decodeText && dir !== host.hiddenDir) {
    d.decoder ??= textCodec(host.settings.encoding).streamDecoder();
    event.text = d.decoder.write(bytes);
    event.encoding = host.settings.encoding;
  }
  d.prev = tail(d.prev, bytes);
  host.record(event);
}

/** The last 4 bytes of a direction: a view, not a copy (the event keeps the whole chunk anyway). */
function tail(prev: Buffer, bytes: Buffer): Buffer {
  if (bytes.length >= 4) return bytes.subarray(bytes.length - 4);
  return Buffer.concat([prev, bytes]).subarray(-4);
}

/** A direction's state before anything passed. */
export function freshDir(): Conn['dirs']['in'] {
  return { prev: EMPTY, decoder: undefined, framer: undefined, frameNo: 0 };
}
