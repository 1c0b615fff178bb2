import { ByteQueue } from '../../src/plugin/byte-queue.js';
import { defineFramer } from '../../src/plugin/define-plugin.js';
import { FrameError } from '../../src/plugin/errors.js';
import type { Frame } from '../../src/plugin/types.js';

/** Fixed-size records: `fixed:16`, `fixed:512,pad=\0`. */
export const fixed = defineFramer({
  summary: 'messages of a fixed number of bytes',
  positional: 'size',
  options: [
    { key: 'size', kind: 'size', required: true, min: 1, max: 2 * 1024 ** 3, summary: 'bytes per message' },
    {
      key: 'pad',
      kind: 'bytes',
      minLength: 1,
      maxLength: 1,
      hint: '<byte>',
      summary: 'when sending, fill a shorter payload up with this byte (else it is an error)',
    },
  ],
  create: ({ size, pad }) => {
    const label = `fixed:${size}`;
    const queue = new ByteQueue();
    return {
      decode(chunk) {
        queue.push(chunk);
        const frames: Frame[] = [];
        while (queue.length >= size) {
          const bytes = queue.take(size);
          frames.push({ payload: bytes, bytes, payloadOffset: 0 });
        }
        return frames;
      },
      encode(payload) {
        if (payload.length === size) return payload.slice();
        if (payload.length < size && pad !== undefined) {
          const out = new Uint8Array(size).fill(pad[0]!);
          out.set(payload, 0);
          return out;
        }
        const hint = payload.length < size ? ' (add pad=<byte> to fill it up)' : '';
        throw new FrameError(`${label}: a ${payload.length}-byte payload is not ${size} bytes${hint}`);
      },
      flush() {
        if (queue.length === 0) return [];
        throw new FrameError(`${label}: stream ended after ${queue.length} bytes of a ${size}-byte message`, {
          rest: queue.takeAll(),
        });
      },
    };
  },
});
