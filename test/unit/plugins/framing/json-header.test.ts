import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameError } from '../../../../src/plugin/errors.js';
import { assertRoundTrip, bytes, concat, framer, offsets, text } from './harness.js';

/** What the classic Python tutorial sends: struct.pack('>I', len(h)) + h + body. */
function pythonStyle(header: object, body: string, width = 4): Uint8Array {
  const h = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(width);
  len.writeUIntBE(h.length, 0, width);
  return concat([len, h, bytes(body)]);
}

describe('json-header framer', () => {
  it('decodes length + JSON header + body, exposing the parsed header', () => {
    const frames = framer('json-header').decode(pythonStyle({ filename: 'a.txt', data_size: 5 }, 'hello'));
    expect(frames).toHaveLength(1);
    expect(text(frames[0]!.payload)).toBe('hello');
    expect(frames[0]!.header).toEqual({ filename: 'a.txt', data_size: 5 });
    expect(frames[0]!.bytes.length).toBe(4 + JSON.stringify({ filename: 'a.txt', data_size: 5 }).length + 5);
  });

  it('encodes {"data_size":n}', () => {
    const out = framer('json-header').encode(bytes('hey'));
    expect(Buffer.from(out).toString('latin1')).toBe('\0\0\0\x0f{"data_size":3}hey');
  });

  it('takes another field name and length field', () => {
    const f = framer('json-header:u16be,field=content-length');
    const frames = f.decode(pythonStyle({ 'content-length': 2, 'content-type': 'text/json' }, 'ok', 2));
    expect(text(frames[0]!.payload)).toBe('ok');
  });

  it('waits across chunks in every state', () => {
    const stream = concat([pythonStyle({ data_size: 3 }, 'abc'), pythonStyle({ data_size: 0 }, '')]);
    const f = framer('json-header');
    const got: string[] = [];
    for (const b of stream) for (const x of f.decode(Uint8Array.of(b))) got.push(text(x.payload));
    expect(got).toEqual(['abc', '']);
  });

  it('refuses a header that is not JSON, not an object, or lacks a whole-number data_size', () => {
    const raw = (h: string) => concat([Uint8Array.of(0, 0, 0, h.length), bytes(h)]);
    expect(() => framer('json-header').decode(raw('{nope'))).toThrow(/header is not UTF-8 JSON/);
    expect(() => framer('json-header').decode(raw('[1]'))).toThrow(/not an object/);
    expect(() => framer('json-header').decode(raw('{"size":1}'))).toThrow(/has no whole-number "data_size"/);
    expect(() => framer('json-header').decode(raw('{"data_size":-1}'))).toThrow(FrameError);
    expect(() => framer('json-header').decode(raw('{"data_size":1.5}'))).toThrow(FrameError);
    expect(() => framer('json-header').decode(Uint8Array.of(0, 0, 0, 2, 0xff, 0xfe))).toThrow(/UTF-8/);
  });

  it('refuses a header or body over max', () => {
    expect(() => framer('json-header,max=10').decode(Uint8Array.of(0, 0, 0, 11))).toThrow(/header length 11/);
    expect(() => framer('json-header,max=20').decode(pythonStyle({ data_size: 21 }, ''))).toThrow(
      /"data_size": 21/,
    );
  });

  it('property: any chunking decodes back, with the header on every frame', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 100 }), { maxLength: 8 }), offsets, (ps, cuts) => {
        const frames = assertRoundTrip('json-header', ps, cuts);
        expect(frames.map((f) => f.header)).toEqual(ps.map((p) => ({ data_size: p.length })));
      }),
    );
  });
});
