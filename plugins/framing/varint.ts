import type { ByteQueue } from '../../src/plugin/byte-queue.js';
import { defineFramer } from '../../src/plugin/define-plugin.js';
import { formatSize, maxRow } from './common.js';
import { createPrefixedFramer } from './prefixed.js';

/** A 64-bit value takes at most 10 groups of 7 bits. */
const MAX_VARINT_BYTES = 10;

/**
 * Messages after a protobuf-style length: unsigned LEB128, 7 bits per byte, low group first,
 * high bit set on every byte but the last (gRPC-less protobuf streams, writeDelimitedTo).
 */
export const varint = defineFramer({
  summary: 'messages after a protobuf varint length (unsigned LEB128)',
  options: [maxRow],
  create: ({ max }) =>
    createPrefixedFramer({
      label: 'varint',
      prefixName: 'a length prefix',
      read(queue) {
        const prefix = readVarint(queue);
        if (prefix === undefined)
          return queue.length >= MAX_VARINT_BYTES ? 'length prefix runs past 10 bytes' : undefined;
        if (prefix.value > max) return `length ${prefix.value} is over max=${formatSize(max)}`;
        return { size: prefix.size, payloadLength: prefix.value, header: { length: prefix.value } };
      },
      write: encodeVarint,
    }),
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
