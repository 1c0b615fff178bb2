import fc from 'fast-check';
import { BUILTIN_PLUGINS } from '../../../../plugins/index.js';
import { PluginRegistry } from '../../../../src/plugin/registry.js';
import type { Frame, Framer } from '../../../../src/plugin/types.js';

/** Helpers for the framer tests: make framers from specs, feed them bytes in any chunking. */

const registry = new PluginRegistry({ builtins: BUILTIN_PLUGINS });

export function framer(spec: string): Framer {
  return registry.createFramer(spec);
}

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
export const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
export const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));
}

/** Cuts `data` at the given offsets (any numbers; reduced modulo the length, sorted, deduplicated). */
export function cut(data: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  if (data.length === 0) return [data];
  const points = [...new Set(offsets.map((o) => o % data.length))].filter((p) => p > 0).sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const p of points) {
    chunks.push(data.subarray(start, p));
    start = p;
  }
  chunks.push(data.subarray(start));
  return chunks;
}

/** Feeds every chunk, then flush(); returns every frame. */
export function decodeChunks(f: Framer, chunks: readonly Uint8Array[], flush = true): Frame[] {
  const frames: Frame[] = [];
  for (const c of chunks) frames.push(...f.decode(c));
  if (flush && f.flush) frames.push(...f.flush());
  return frames;
}

export const offsets = fc.array(fc.nat(), { maxLength: 40 });

/**
 * The framing property: any chunking of encode(a)+encode(b)+... decodes to exactly a, b, ...,
 * each frame's bytes are what encode produced, and nothing is left over.
 */
export function assertRoundTrip(
  spec: string,
  payloads: readonly Uint8Array[],
  cuts: readonly number[],
): Frame[] {
  const encoder = framer(spec);
  const encoded = payloads.map((p) => encoder.encode(p));
  const stream = concat(encoded);
  const frames = decodeChunks(framer(spec), cut(stream, cuts));
  const got = frames.map((f) => Buffer.from(f.payload).toString('hex'));
  const want = payloads.map((p) => Buffer.from(p).toString('hex'));
  if (JSON.stringify(got) !== JSON.stringify(want))
    throw new Error(`${spec}: decoded ${JSON.stringify(got)}, wanted ${JSON.stringify(want)}`);
  frames.forEach((f, i) => {
    if (Buffer.compare(Buffer.from(f.bytes), Buffer.from(encoded[i]!)) !== 0)
      throw new Error(`${spec}: frame ${i} bytes differ from what encode() produced`);
  });
  return frames;
}
