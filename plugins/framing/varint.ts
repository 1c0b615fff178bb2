import { ByteQueue } from '../../src/plugin/byte-queue.js';
import { defineFramer } from '../../src/plugin/define-plugin.js';
import { FrameError } from '../../src/plugin/errors.js';
import type { Frame } from '../../src/plugin/types.js';
import { formatSize, maxRow } from './common.js';

/** A 64-bit value takes at most 10 groups of 7 bits. */
const MAX_VARINT_BYTES = 10;

/**
 * Messages after a protobuf-style length: unsigned LEB128, 7 bits per byte, low group first,
 * high bit set on every byte but the last (gRPC-less protobuf streams, writeDelimitedTo).
 */
export const varint = defineFramer({
  summary: 'messages after a protobuf varint length (unsigned LEB128)',
  options: [maxRow],
  create: ({ max }) => {
    const queue = new ByteQueue();
    // Once a prefix is read: its size and the whole frame's size.
    let prefixSize = 0;
    let need: number | undefined;

    const fail = (message: string, frames: Frame[]) => {
      need = undefined;
      return new FrameError(`varint: ${message}`, { frames, rest: queue.takeAll() });
    };

    return {
      decode(chunk) {
        queue.push(chunk);
        const frames: Frame[] = [];
        for (;;) {
          if (need === undefined) {
            const prefix = readVarint(queue);
            if (prefix === undefined) {
              if (queue.length >= MAX_VARINT_BYTES) throw fail('length prefix runs past 10 bytes', frames);
              return frames;
            }
            if (prefix.value > max)
              throw fail(`length ${prefix.value} is over max=${formatSize(max)}`, frames);
            prefixSize = prefix.size;
            need = prefix.size + prefix.value;
          }
          if (queue.length < need) return frames;
          const bytes = queue.take(need);
          frames.push({ payload: bytes.subarray(prefixSize), bytes });
          need = undefined;
        }
      },
      encode(payload) {
        const prefix = encodeVarint(payload.length);
        const out = new Uint8Array(prefix.length + payload.length);
        out.set(prefix, 0);
        out.set(payload, prefix.length);
        return out;
      },
      flush() {
        if (queue.length === 0) return [];
        const of = need === undefined ? 'a length prefix' : `a ${need}-byte frame`;
        throw fail(`stream ended after ${queue.length} bytes of ${of}`, []);
      },
    };
  },
});

/** The varint at the queue's head, or undefined while it is incomplete. */
function readVarint(queue: ByteQueue): { value: number; size: number } | undefined {
  let value = 0;
  const limit = Math.min(queue.length, MAX_VARINT_BYTES);
  for (let i = 0; i < limit; i++) {
    const b = queue.byteAt(i);
    // Multiplication, not shifts: shifts are 32-bit in JavaScript. Past 2^53 the value is
    // inexact, but by then it is far over any limit.
    value += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) return { value, size: i + 1 };
  }
  return undefined;
}

export function encodeVarint(n: number): Uint8Array {
  const out: number[] = [];
  do {
    const low = n % 128;
    n = Math.floor(n / 128);
    out.push(n > 0 ? low | 0x80 : low);
  } while (n > 0);
  return Uint8Array.from(out);
}
