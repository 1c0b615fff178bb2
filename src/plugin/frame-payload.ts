import type { Frame } from './types.js';

/**
 * Where a frame's payload starts in its bytes, for the inspector's payload offsets: the
 * framer's `payloadOffset` when it is right, else where the payload lies in the same memory
 * (built-in framers hand out views), else where its bytes first occur; undefined when the
 * payload is not in the frame's bytes at all (a framer that unescapes or decompresses).
 */
export function payloadOffsetOf(frame: Frame): number | undefined {
  const { bytes, payload } = frame;
  const at = frame.payloadOffset;
  if (Number.isInteger(at) && at! >= 0 && at! + payload.length <= bytes.length && same(bytes, at!, payload))
    return at;
  if (payload.buffer === bytes.buffer) {
    const d = payload.byteOffset - bytes.byteOffset;
    if (d >= 0 && d + payload.length <= bytes.length) return d;
  }
  if (payload.length === 0) return undefined;
  const found = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).indexOf(payload);
  return found >= 0 ? found : undefined;
}

function same(bytes: Uint8Array, at: number, payload: Uint8Array): boolean {
  for (let i = 0; i < payload.length; i++) if (bytes[at + i] !== payload[i]) return false;
  return true;
}
