import { describe, expect, it } from 'vitest';
import { toJson } from '../../../src/json/json-event.js';
import type { DataEvent } from '../../../src/session/session-events.js';

const base = (patch: Partial<DataEvent>): DataEvent => ({
  type: 'data',
  time: 1,
  conn: 1,
  dir: 'in',
  bytes: Buffer.from('0003616263', 'hex'),
  prev: Buffer.alloc(0),
  text: '\u0000\u0003abc',
  ...patch,
});

describe('data events of frames as JSON', () => {
  it('adds payload, payloadText, payloadOffset and header to a frame', () => {
    const e = base({
      frame: 2,
      payload: Buffer.from('abc'),
      payloadText: 'abc',
      payloadOffset: 2,
      header: { length: 3 },
    });
    expect(toJson(e)).toMatchObject({
      len: 5,
      hex: '0003616263',
      frame: 2,
      payload: '616263',
      payloadText: 'abc',
      payloadOffset: 2,
      header: { length: 3 },
    });
  });

  it("a plugin's odd header: BigInts as strings, bytes as hex, a cycle left out", () => {
    const odd = base({
      frame: 1,
      payload: Buffer.from('abc'),
      header: { n: 2n ** 70n, raw: Uint8Array.from([1, 255]) },
    });
    expect(toJson(odd)).toMatchObject({
      header: { n: '1180591620717411303424', raw: '01ff' },
      payloadText: '',
    });
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    const out = toJson(base({ frame: 1, payload: Buffer.from('abc'), header: cycle })) as Record<
      string,
      unknown
    >;
    expect(out).not.toHaveProperty('header');
    expect(out.payload).toBe('616263');
  });
});
