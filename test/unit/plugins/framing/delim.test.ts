import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatEscapes } from '../../../../src/codec/escapes.js';
import { FrameError } from '../../../../src/plugin/errors.js';
import { assertRoundTrip, bytes, concat, cut, decodeChunks, framer, offsets, text } from './harness.js';

describe('delim framer', () => {
  it('splits on a NUL byte given as an escape', () => {
    const frames = framer('delim:\\0').decode(bytes('a\0bc\0'));
    expect(frames.map((f) => text(f.payload))).toEqual(['a', 'bc']);
    expect(frames.map((f) => text(f.bytes))).toEqual(['a\0', 'bc\0']);
  });

  it('finds a multi-byte delimiter split across chunks in every possible way', () => {
    const stream = bytes('GET / HTTP/1.1\r\nHost: x\r\n\r\nbody');
    for (let a = 1; a < stream.length; a++) {
      for (let b = a + 1; b < stream.length; b += 3) {
        const frames = decodeChunks(framer('delim:\\r\\n\\r\\n'), cut(stream, [a, b]), false);
        expect(frames.map((f) => text(f.payload))).toEqual(['GET / HTTP/1.1\r\nHost: x']);
      }
    }
  });

  it('takes an escaped comma, and raw UTF-8 text', () => {
    expect(
      framer('delim:\\,')
        .decode(bytes('a,b,'))
        .map((f) => text(f.payload)),
    ).toEqual(['a', 'b']);
    expect(framer('delim:§').decode(bytes('a§b§')).length).toBe(2);
  });

  it('finds the first occurrence of a self-overlapping delimiter', () => {
    expect(
      framer('delim:aa')
        .decode(bytes('xaaay'))
        .map((f) => text(f.payload)),
    ).toEqual(['x']);
  });

  it('refuses a message longer than max, counting only the bytes before the delimiter', () => {
    expect(framer('delim:||,max=2').decode(bytes('ab||')).length).toBe(1);
    const f = framer('delim:||,max=2');
    expect(f.decode(bytes('ab|'))).toEqual([]);
    expect(() => f.decode(bytes('c'))).toThrow(FrameError);
  });

  it('returns an unterminated tail at EOF', () => {
    const f = framer('delim:;');
    f.decode(bytes('a;b'));
    expect(f.flush!().map((x) => text(x.payload))).toEqual(['b']);
  });

  const delimiters = fc.uint8Array({ minLength: 1, maxLength: 4 });
  it('property: any chunking decodes back, for random delimiters and payloads that do not contain them', () => {
    fc.assert(
      fc.property(
        delimiters,
        fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 10 }),
        offsets,
        (d, raw, cuts) => {
          const dl = Buffer.from(d);
          // A payload is framable when its delimiter's first occurrence is the one encode adds.
          const ps = raw.filter((p) => Buffer.from(concat([p, d])).indexOf(dl) === p.length);
          assertRoundTrip(`delim:${formatEscapes(d, 'spec')}`, ps, cuts);
        },
      ),
    );
  });

  it('property: the same over a tiny alphabet, where delimiters overlap payloads and each other', () => {
    const small = (max: number) =>
      fc.array(fc.constantFrom(0x61, 0x62, 0x2c, 0x5c), { maxLength: max }).map((a) => Uint8Array.from(a));
    fc.assert(
      fc.property(
        small(3).filter((d) => d.length > 0),
        fc.array(small(8), { maxLength: 10 }),
        offsets,
        (d, raw, cuts) => {
          const dl = Buffer.from(d);
          const ps = raw.filter((p) => Buffer.from(concat([p, d])).indexOf(dl) === p.length);
          assertRoundTrip(`delim:${formatEscapes(d, 'spec')}`, ps, cuts);
        },
      ),
      { numRuns: 500 },
    );
  });
});
