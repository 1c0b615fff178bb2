import { GlyphDecoder } from '../codec/glyphs.js';
import { createStreamDecoder } from '../codec/text.js';
import type { EventLog } from '../session/event-log.js';
import type { DataEvent, SessionEvent } from '../session/session-events.js';

/**
 * Where the characters of a chunk of traffic begin, for the two views that decode chunks one at
 * a time (the text view and the hex view's text column). A chunk may start inside a character
 * whose first bytes ended the chunk before: its carry. In UTF-8 the bytes before the chunk
 * (`prev`) say so on their own. In GBK, Big5, Shift_JIS, UTF-16... a byte can be the first or
 * the second half of a character, and `prev` decoded from its first byte is wrong whenever that
 * byte is a second half (as in any run of two-byte characters that ends with a lone first byte),
 * so there the carry is worked out from the chunk before on the same connection and direction,
 * whose own carry is known the same way, back to the first chunk, to a chunk already worked out,
 * or as far as CHAIN_CHUNKS and CHAIN_BYTES allow; only past that is `prev` taken to start at a
 * boundary. Carries are remembered per chunk, so each chunk is decoded for this once per encoding.
 */

/** How many earlier chunks, and bytes of them, are decoded at most to find one chunk's carry. */
const CHAIN_CHUNKS = 64;
const CHAIN_BYTES = 64 * 1024;
/** How far back in the log the chunk before is looked for. */
const SEARCH_ENTRIES = 256;

const EMPTY = Buffer.alloc(0);

interface Memo {
  encoding: string;
  carryIn?: Buffer;
  carryOut?: Buffer;
  /** Bytes held back at `heldFrom` (see heldBefore). */
  heldFrom?: number;
  held?: number;
}

const memos = new WeakMap<DataEvent, Memo>();

function memo(e: DataEvent, encoding: string): Memo {
  let m = memos.get(e);
  if (!m || m.encoding !== encoding) {
    m = { encoding };
    memos.set(e, m);
  }
  return m;
}

/** An encoding as the views decode it. */
export interface ViewEncoding {
  /** What they decode with: the session's encoding, or latin1 for one that is no character encoding (hex, base64). */
  name: string;
  glyphs: GlyphDecoder;
  /**
   * The last bytes before any position tell where the character covering it starts (UTF-8 and
   * single-byte encodings), so no earlier chunk need be decoded.
   */
  selfSync: boolean;
}

const viewEncodings = new Map<string, ViewEncoding>();

export function viewEncoding(encoding: string): ViewEncoding {
  let v = viewEncodings.get(encoding);
  if (!v) {
    let glyphs: GlyphDecoder;
    try {
      glyphs = new GlyphDecoder(encoding);
    } catch {
      glyphs = new GlyphDecoder('latin1');
    }
    v = { name: glyphs.encoding, glyphs, selfSync: glyphs.mode !== 'general' };
    viewEncodings.set(encoding, v);
  }
  return v;
}

/** The bytes (0 to 3) ending the stream before this chunk that begin a character the chunk continues. */
export function carryIn(log: EventLog<SessionEvent>, seq: number, e: DataEvent, view: ViewEncoding): Buffer {
  if (e.prev.length === 0) return EMPTY;
  const encoding = view.name;
  if (view.selfSync) return heldTail([e.prev], encoding);
  const m = memo(e, encoding);
  if (m.carryIn) return m.carryIn;
  // Back along the chunks before, to one whose carry out is known or to the end of the chain.
  const chain: DataEvent[] = [e];
  let start: Buffer | undefined;
  let budget = CHAIN_BYTES;
  for (let cur = { seq, e }; start === undefined; ) {
    if (cur.e.prev.length === 0) start = EMPTY;
    else {
      const before =
        budget > 0 && chain.length <= CHAIN_CHUNKS ? chunkBefore(log, cur.seq, cur.e) : undefined;
      const known = before && memos.get(before.e);
      if (known?.encoding === encoding && known.carryOut) start = known.carryOut;
      else if (!before) start = heldTail([cur.e.prev], encoding);
      else {
        chain.push(before.e);
        budget -= before.e.bytes.length;
        cur = before;
      }
    }
  }
  // Then forward: each chunk's carry out is its carry in and bytes, minus what they finish.
  for (let i = chain.length - 1; i >= 0; i--) {
    const c = memo(chain[i]!, encoding);
    c.carryIn = start;
    if (i > 0) {
      c.carryOut = heldTail([start, chain[i]!.bytes], encoding);
      start = c.carryOut;
    }
  }
  return m.carryIn!;
}

/**
 * How many bytes before `pos` (a position in the chunk) begin the character that covers `pos`,
 * counting the carry: 0 when a character starts at `pos`.
 */
export function heldBefore(
  log: EventLog<SessionEvent>,
  seq: number,
  e: DataEvent,
  pos: number,
  view: ViewEncoding,
): number {
  const carry = carryIn(log, seq, e, view);
  if (pos === 0) return carry.length;
  const m = memo(e, view.name);
  if (m.heldFrom !== pos) {
    // In UTF-8 a character that covers `pos` begins at most 3 bytes before it.
    const parts =
      view.selfSync && pos >= 4 ? [e.bytes.subarray(pos - 4, pos)] : [carry, e.bytes.subarray(0, pos)];
    m.held = heldTail(parts, view.name).length;
    m.heldFrom = pos;
  }
  return m.held!;
}

function chunkBefore(
  log: EventLog<SessionEvent>,
  seq: number,
  e: DataEvent,
): { seq: number; e: DataEvent } | undefined {
  for (let s = seq - 1; s >= seq - SEARCH_ENTRIES; s--) {
    const entry = log.get(s);
    if (!entry) return undefined;
    const item = entry.item;
    if (item.type === 'data' && item.conn === e.conn && item.dir === e.dir) return { seq: s, e: item };
  }
  return undefined;
}

/**
 * The last bytes of `parts` (0 to 3) that the stream decoder still holds back after them: the
 * start of a character they do not finish. Found by decoding, which is fast, not by rules of
 * each encoding.
 */
function heldTail(parts: Uint8Array[], encoding: string): Buffer {
  const total = parts.reduce((n, p) => n + p.length, 0);
  let held = 0;
  for (; held < 3 && held < total; held++) {
    const d = createStreamDecoder(encoding);
    let left = total - held;
    for (const p of parts) {
      d.write(p.subarray(0, Math.min(p.length, left)));
      left -= Math.min(p.length, left);
    }
    if (d.end() === '') break;
  }
  const out = Buffer.alloc(held);
  let at = held;
  for (let i = parts.length - 1; i >= 0 && at > 0; i--) {
    const p = parts[i]!;
    const n = Math.min(at, p.length);
    out.set(p.subarray(p.length - n), at - n);
    at -= n;
  }
  return out;
}
