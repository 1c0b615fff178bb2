import { decodeText } from '../codec/text.js';
import type { Frame } from '../plugin/types.js';
import type { CustomMatch, CustomPattern } from '../tube/matchers.js';
import type { Conn } from './conn.js';

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
        if (at >= 0) return frameMatch(frame, at, at + frame.bytes.length, encoding);
        // Bigger than a bounded buffer (the REPL's) can hold, it is never there whole: it still
        // matches in its turn, consuming no bytes, since which of them are its own is unknown.
        if (frame.bytes.length > buffer.limit) return frameMatch(frame, 0, 0, encoding);
      }
      return undefined;
    },
  };
}

function frameMatch(frame: Frame, start: number, end: number, encoding: string): CustomMatch {
  return { start, end, values: [decodeText(frame.payload, encoding)], data: frame };
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
