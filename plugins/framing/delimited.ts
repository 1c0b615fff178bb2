import { ByteQueue } from '../../src/plugin/byte-queue.js';
import { FrameError } from '../../src/plugin/errors.js';
import type { Frame, Framer } from '../../src/plugin/types.js';
import { formatSize } from './common.js';

/**
 * Messages ended by a delimiter (`lines`, `delim`). The payload excludes the delimiter; the
 * frame's bytes include it. Each byte is scanned once: a search resumes where the last stopped.
 */
export function createDelimitedFramer(label: string, delimiter: Uint8Array, max: number): Framer {
  const queue = new ByteQueue();
  const m = delimiter.length;
  // Bytes before this index hold no delimiter start.
  let scanned = 0;

  const tooLong = (frames: Frame[], length: string) =>
    new FrameError(`${label}: message of ${length} bytes is over max=${formatSize(max)}`, {
      frames,
      rest: drain(),
    });
  const drain = () => {
    scanned = 0;
    return queue.takeAll();
  };

  return {
    decode(chunk) {
      queue.push(chunk);
      const frames: Frame[] = [];
      for (;;) {
        const at = queue.indexOf(delimiter, scanned);
        if (at < 0) {
          scanned = Math.max(0, queue.length - m + 1);
          if (queue.length - (m - 1) > max) throw tooLong(frames, `more than ${queue.length - (m - 1)}`);
          return frames;
        }
        if (at > max) throw tooLong(frames, String(at));
        const bytes = queue.take(at + m);
        frames.push({ payload: bytes.subarray(0, at), bytes, payloadOffset: 0 });
        scanned = 0;
      }
    },
    encode(payload) {
      const out = new Uint8Array(payload.length + m);
      out.set(payload, 0);
      out.set(delimiter, payload.length);
      return out;
    },
    flush() {
      // Like a last line without its newline: still a message.
      if (queue.length === 0) return [];
      const bytes = drain();
      return [{ payload: bytes, bytes, payloadOffset: 0 }];
    },
  };
}
