import { describe, expect, it } from 'vitest';
import type { Frame } from '../../../src/plugin/types.js';
import { consumeFrame, framePattern } from '../../../src/session/frame-pattern.js';
import type { Conn } from '../../../src/session/session.js';
import { ReceiveBuffer } from '../../../src/tube/receive-buffer.js';

/** A u8-length-prefixed frame. */
const frame = (payload: string): Frame => ({
  payload: Buffer.from(payload),
  bytes: Buffer.concat([Buffer.from([payload.length]), Buffer.from(payload)]),
});

function setup(frames: Frame[], limit?: number) {
  const conn = { frames: [...frames] } as unknown as Conn;
  const buffer = new ReceiveBuffer(limit === undefined ? {} : { limit });
  for (const f of frames) buffer.append(f.bytes);
  return { conn, buffer, pattern: framePattern(conn, 'utf8') };
}

describe('the frame pattern', () => {
  it('matches the next frame whose bytes are buffered; consuming it takes the queue up to it', () => {
    const a = frame('ab');
    const b = frame('cde');
    const { conn, buffer, pattern } = setup([a, b]);
    expect(pattern.find(buffer)).toEqual({ start: 0, end: 3, values: ['ab'], data: a });
    // A byte expect ate part of the first frame: it is passed over.
    buffer.discard(2);
    const m = pattern.find(buffer)!;
    expect([m.start, m.end, m.values, m.data]).toEqual([1, 5, ['cde'], b]);
    buffer.discard(m.end);
    expect(consumeFrame(conn, m.data)).toBe(b);
    expect(conn.frames).toEqual([]);
    expect(consumeFrame(conn, 'not a frame')).toBeUndefined();
  });

  it('still matches a frame bigger than a bounded buffer, consuming no bytes', () => {
    const big = frame('0123456789');
    const { buffer, pattern } = setup([big], 8);
    expect(buffer.dropped).toBe(3);
    expect(pattern.find(buffer)).toEqual({ start: 0, end: 0, values: ['0123456789'], data: big });
  });
});
