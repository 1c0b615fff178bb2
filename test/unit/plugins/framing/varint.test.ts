import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameError } from '../../../../src/plugin/errors.js';
import { assertRoundTrip, framer, hex, offsets, text } from './harness.js';

const prefix = (n: number) => {
  const out = framer('varint').encode(new Uint8Array(n));
  return Buffer.from(out.subarray(0, out.length - n)).toString('hex');
};

describe('varint framer', () => {
  it('writes protobuf varints (the 300 example from the protobuf encoding guide)', () => {
    expect(prefix(0)).toBe('00');
    expect(prefix(1)).toBe('01');
    expect(prefix(127)).toBe('7f');
    expect(prefix(128)).toBe('8001');
    expect(prefix(300)).toBe('ac02');
    expect(prefix(16384)).toBe('808001');
  });

  it('reads a prefix split across chunks', () => {
    const f = framer('varint');
    const stream = Buffer.concat([hex('ac02'), Buffer.alloc(300, 0x61)]);
    expect(f.decode(stream.subarray(0, 1))).toEqual([]);
    expect(f.decode(stream.subarray(1, 200))).toEqual([]);
    const frames = f.decode(stream.subarray(200));
    expect(frames[0]!.payload.length).toBe(300);
    expect(frames[0]!.bytes.length).toBe(302);
  });

  it('accepts a non-minimal prefix, as protobuf parsers do', () => {
    expect(text(framer('varint').decode(hex('8200 6869'))[0]!.payload)).toBe('hi');
  });

  it('refuses a prefix longer than 10 bytes, and a length over max', () => {
    expect(() => framer('varint').decode(hex('8080808080808080808080'))).toThrow(/past 10 bytes/);
    expect(() => framer('varint,max=100').decode(hex('65'))).toThrow(/length 101 is over max=100/);
    expect(() => framer('varint').decode(hex('ffffffffffffffffff01'))).toThrow(FrameError);
  });

  it('reports a stream that ends inside a prefix or a frame', () => {
    const f = framer('varint');
    f.decode(hex('80'));
    expect(() => f.flush!()).toThrow('varint: stream ended after 1 bytes of a length prefix');
  });

  it('property: any chunking decodes back, including multi-byte prefixes', () => {
    const payload = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.integer({ min: 128, max: 20_000 }).map((n) => new Uint8Array(n).fill(n & 0xff)),
    );
    fc.assert(
      fc.property(
        fc.array(payload, { maxLength: 6 }),
        offsets,
        (ps, cuts) => void assertRoundTrip('varint', ps, cuts),
      ),
    );
  });
});
