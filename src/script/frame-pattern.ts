import { decodeText } from '../codec/text.js';
import type { Frame } from '../plugin/types.js';
import type { Conn } from '../session/session.js';
import type { CustomPattern } from '../tube/matchers.js';

/**
 * `expect frame`: the next whole frame the session's framer decoded on this connection. The
 * frame's wire bytes are consumed from the tube's buffer too, so a later text expect starts after
 * it. `$0` is the payload as text; the Frame itself comes back as the match's `data`.
 */
export function framePattern(conn: Conn, encoding: string): CustomPattern {
  return {
    description: 'frame',
    find(buffer) {
      const frame = conn.frames[0];
      if (!frame) return undefined;
      const at = buffer.indexOf(frame.bytes);
      // Bytes an earlier expect already consumed are not there any more; the frame still counts.
      const start = Math.max(at, 0);
      const end = at < 0 ? 0 : at + frame.bytes.length;
      return { start, end, values: [decodeText(frame.payload, encoding)], data: frame };
    },
  };
}

/** Takes a frame that a match handed over off the connection's queue. */
export function consumeFrame(conn: Conn, frame: Frame): void {
  const i = conn.frames.indexOf(frame);
  if (i >= 0) conn.frames.splice(i, 1);
}
