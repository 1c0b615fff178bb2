import { decodeText } from '../codec/text.js';
import type { Frame } from '../plugin/types.js';
import type { Conn } from '../session/session.js';
import type { CustomPattern } from '../tube/matchers.js';

/**
 * `expect frame`: the next whole frame the session's framer decoded on this connection, taken
 * from the tube's byte buffer too, so that byte and frame expects can be mixed: a frame whose bytes
 * an earlier expect already consumed (wholly or in part) is passed over. `$0` is the payload as
 * text; the Frame itself comes back as the match's `data`.
 */
export function framePattern(conn: Conn, encoding: string): CustomPattern {
  return {
    description: 'frame',
    find(buffer) {
      for (const frame of conn.frames) {
        const at = buffer.indexOf(frame.bytes);
        if (at < 0) continue;
        return {
          start: at,
          end: at + frame.bytes.length,
          values: [decodeText(frame.payload, encoding)],
          data: frame,
        };
      }
      return undefined;
    },
  };
}

/** Takes a matched frame, and the frames before it that were consumed as bytes, off the queue. */
export function consumeFrame(conn: Conn, frame: Frame): void {
  const i = conn.frames.indexOf(frame);
  if (i >= 0) conn.frames.splice(0, i + 1);
}
