import { ByteQueue } from '../../src/plugin/byte-queue.js';
import { FrameError } from '../../src/plugin/errors.js';
import type { Frame, Framer } from '../../src/plugin/types.js';

/** What a frame's prefix says, once read from the head of the stream. */
export interface Prefix {
  /** Bytes of the prefix itself: the length field, the varint, length field + JSON header. */
  size: number;
  /** Bytes of the payload after it. */
  payloadLength: number;
  /** The header fields the prefix carries (`{ length }`, json-header's parsed header). */
  header?: unknown;
}

/** How one kind of prefix is read and written (`length`, `varint`, `json-header`). */
export interface PrefixCodec {
  /** Names the framer in messages: `length:u32be`, `varint`. */
  label: string;
  /** The prefix as messages call it when the stream ends inside it: `a 4-byte length field`. */
  prefixName: string;
  /**
   * The prefix at the head of `queue`: undefined while it is incomplete, or a string saying why
   * it is malformed or over the limit (the framer throws it, with the bytes it held).
   */
  read(queue: ByteQueue): Prefix | string | undefined;
  /** The prefix for a payload of `length` bytes; throws a FrameError when there is none. */
  write(length: number): Uint8Array;
}

/**
 * Messages after a prefix that gives their length. The prefix is read once per frame; the framer
 * then waits, without looking at it again, until the whole frame is queued.
 */
export function createPrefixedFramer(codec: PrefixCodec): Framer {
  const queue = new ByteQueue();
  // Once a frame's prefix is read: what it says, and the whole frame's size.
  let prefix: Prefix | undefined;
  let need = 0;

  const fail = (message: string, frames: Frame[]) => {
    prefix = undefined;
    return new FrameError(`${codec.label}: ${message}`, { frames, rest: queue.takeAll() });
  };

  return {
    decode(chunk) {
      queue.push(chunk);
      const frames: Frame[] = [];
      for (;;) {
        if (prefix === undefined) {
          const read = codec.read(queue);
          if (read === undefined) return frames;
          if (typeof read === 'string') throw fail(read, frames);
          prefix = read;
          need = read.size + read.payloadLength;
        }
        if (queue.length < need) return frames;
        const bytes = queue.take(need);
        const frame: Frame = { payload: bytes.subarray(prefix.size), bytes, payloadOffset: prefix.size };
        if (prefix.header !== undefined) frame.header = prefix.header;
        frames.push(frame);
        prefix = undefined;
      }
    },
    encode(payload) {
      const head = codec.write(payload.length);
      const out = new Uint8Array(head.length + payload.length);
      out.set(head, 0);
      out.set(payload, head.length);
      return out;
    },
    flush() {
      if (queue.length === 0) return [];
      const of = prefix === undefined ? codec.prefixName : `a ${need}-byte frame`;
      throw fail(`stream ended after ${queue.length} bytes of ${of}`, []);
    },
  };
}
