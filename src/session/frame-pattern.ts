import { decodeText } from '../codec/text.js';
import type { Frame } from '../plugin/types.js';
import type { CustomPattern } from '../tube/matchers.js';
import type { Conn } from './session.js';

/**
 * `expect frame` (the REPL's /expect and scripts): the next whole frame the session's framer
 * decoded on this connection, taken from the byte buffer too, so that byte and frame expects can
 * be mixed: a frame whose bytes an earlier expect already consumed (wholly or in part) is passed
 * over. `$0` is the payload as text; the Frame itself comes back as the match's `data`.
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

/**
 * After a match: when its `data` is one of the connection's frames, takes it, and the frames
 * before it that were consumed as bytes, off the queue, and returns it.
 */
export function consumeFrame(conn: Conn, data: unknown): Frame | undefined {
  const i = conn.frames.indexOf(data as Frame);
  if (i < 0) return undefined;
  conn.frames.splice(0, i + 1);
  return data as Frame;
}
