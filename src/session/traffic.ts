import type { Direction } from '../net/channel.js';
import { payloadOffsetOf } from '../plugin/frame-payload.js';
import type { Frame, Framer } from '../plugin/types.js';
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
  if (!d.framer || d.rawView) {
    pushData(host, conn, dir, chunk, undefined, stderr);
    return;
  }
  let frames: Frame[];
  try {
    frames = d.framer.decode(chunk);
  } catch (err) {
    // A stream that cannot be framed (or a framer's bug) is shown raw from here on, said so once.
    host.notice(
      `framing ${host.frameSpec} failed on connection ${conn.id} (${dir}): ${(err as Error).message}; showing raw chunks`,
      'error',
      conn.id,
    );
    d.rawView = true;
    showLeftovers(host, conn, dir, err, chunk);
    return;
  }
  for (const f of frames) pushFrame(host, conn, dir, f);
}

/**
 * After a framer failed: the frames it completed first, then every byte it held, raw. The
 * session's framers are guarded (plugin/guard-framer.ts), so the error carries both; a framer
 * that was not, or an error without them, leaves just the chunk that failed.
 */
function showLeftovers(host: TrafficHost, conn: Conn, dir: Direction, err: unknown, chunk?: Buffer): void {
  const e = err as { frames?: unknown; rest?: unknown };
  const carries = e.rest instanceof Uint8Array;
  if (carries && Array.isArray(e.frames)) for (const f of e.frames as Frame[]) pushFrame(host, conn, dir, f);
  const rest = carries ? (e.rest as Uint8Array) : chunk;
  if (rest && rest.length > 0)
    pushData(host, conn, dir, Buffer.from(rest.buffer, rest.byteOffset, rest.length), undefined);
}

/** What a framer still holds when its direction ends (a last message without its terminator). */
export function flushFramer(host: TrafficHost, conn: Conn, dir: Direction): void {
  const d = conn.dirs[dir];
  if (!d.framer?.flush || d.rawView) return;
  try {
    for (const f of d.framer.flush()) pushFrame(host, conn, dir, f);
  } catch (err) {
    host.notice(`framing: ${(err as Error).message}`, 'warn', conn.id);
    showLeftovers(host, conn, dir, err);
  }
}

function pushFrame(host: TrafficHost, conn: Conn, dir: Direction, f: Frame): void {
  const d = conn.dirs[dir];
  d.frameNo++;
  if (dir === 'in') {
    conn.frames.push(f);
    if (conn.frames.length > MAX_FRAMES) conn.frames.shift();
  }
  pushData(host, conn, dir, asBuffer(f.bytes), { no: d.frameNo, frame: f });
}

const asBuffer = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length);

function pushData(
  host: TrafficHost,
  conn: Conn,
  dir: Direction,
  bytes: Buffer,
  framed: { no: number; frame: Frame } | undefined,
  stderr = false,
): void {
  const d = conn.dirs[dir];
  const event: DataEvent = { type: 'data', time: Date.now(), conn: conn.id, dir, bytes, prev: d.prev };
  if (framed) addFrame(event, framed.no, framed.frame);
  if (stderr) event.stderr = true;
  if (host.decodeText && dir !== host.hiddenDir) {
    d.decoder ??= textCodec(host.settings.encoding).streamDecoder();
    event.text = d.decoder.write(bytes);
    event.encoding = host.settings.encoding;
    // A whole message: decoded on its own, so a header byte cannot eat the payload's first character.
    if (event.payload) event.payloadText = textCodec(host.settings.encoding).decode(event.payload);
  }
  d.prev = tail(d.prev, bytes);
  host.record(event);
}

/** What a frame adds to its data event: its number, payload, where the payload starts, header. */
function addFrame(event: DataEvent, no: number, f: Frame): void {
  event.frame = no;
  event.payload = asBuffer(f.payload);
  const at = payloadOffsetOf(f);
  if (at !== undefined) event.payloadOffset = at;
  if (f.header !== undefined) event.header = f.header;
}

/** The last 4 bytes of a direction: a view, not a copy (the event keeps the whole chunk anyway). */
function tail(prev: Buffer, bytes: Buffer): Buffer {
  if (bytes.length >= 4) return bytes.subarray(bytes.length - 4);
  return Buffer.concat([prev, bytes]).subarray(-4);
}

/** A direction's state before anything passed. */
export function freshDir(): Conn['dirs']['in'] {
  return { prev: EMPTY, decoder: undefined, framer: undefined, rawView: false, frameNo: 0 };
}

/**
 * Gives each direction of a connection a fresh framer (none when framing is off). A framer that
 * worked for the check but fails to be made for this connection leaves it raw, said once.
 */
export function setupFraming(
  host: TrafficHost,
  conn: Conn,
  make: ((spec: string) => Framer) | undefined,
): void {
  for (const dir of ['in', 'out'] as const) {
    const d = conn.dirs[dir];
    d.rawView = false;
    d.frameNo = 0;
    try {
      d.framer = make && host.frameSpec ? make(host.frameSpec) : undefined;
    } catch (err) {
      d.framer = undefined;
      d.rawView = true;
      host.notice(
        `framing ${host.frameSpec} on connection ${conn.id} (${dir}): ${(err as Error).message}; showing raw chunks, sending unframed`,
        'error',
        conn.id,
      );
    }
  }
}
