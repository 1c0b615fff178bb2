import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameError } from '../../../../src/plugin/errors.js';
import { assertRoundTrip, bytes, framer, hex, offsets, text } from './harness.js';

describe('length framer', () => {
  it('reads a u32 big-endian prefix by default', () => {
    const f = framer('length');
    const frames = f.decode(hex('00000003 616263 00000000'));
    expect(frames.map((x) => text(x.payload))).toEqual(['abc', '']);
    expect(Buffer.from(frames[0]!.bytes).toString('hex')).toBe('00000003616263');
  });

  it('reads each width in either byte order', () => {
    expect(text(framer('length:u8').decode(hex('02 6869'))[0]!.payload)).toBe('hi');
    expect(text(framer('length:u16le').decode(hex('0200 6869'))[0]!.payload)).toBe('hi');
    expect(text(framer('length:u16be').decode(hex('0002 6869'))[0]!.payload)).toBe('hi');
    expect(text(framer('length:u32le').decode(hex('02000000 6869'))[0]!.payload)).toBe('hi');
    expect(text(framer('length:u64be').decode(hex('0000000000000002 6869'))[0]!.payload)).toBe('hi');
    expect(text(framer('length:u64le').decode(hex('0200000000000000 6869'))[0]!.payload)).toBe('hi');
  });

  it('with include-header, the length counts the field itself', () => {
    expect(Buffer.from(framer('length:u16be,include-header').encode(bytes('hi'))).toString('hex')).toBe(
      '00046869',
    );
    expect(text(framer('length:u16be,include-header').decode(hex('0004 6869'))[0]!.payload)).toBe('hi');
  });

  it('with adjust, the length counts other bytes too, or fewer when negative', () => {
    expect(Buffer.from(framer('length:u8,adjust=2').encode(bytes('hi'))).toString('hex')).toBe('046869');
    expect(text(framer('length:u8,adjust=2').decode(hex('04 6869'))[0]!.payload)).toBe('hi');
    expect(text(framer('length:u8,adjust=-1').decode(hex('01 6869'))[0]!.payload)).toBe('hi');
    expect(text(framer('length:u8,include-header,adjust=1').decode(hex('04 6869'))[0]!.payload)).toBe('hi');
  });

  it('waits for a header and a body split across chunks', () => {
    const f = framer('length:u32be');
    expect(f.decode(hex('00'))).toEqual([]);
    expect(f.decode(hex('0000'))).toEqual([]);
    expect(f.decode(hex('0561'))).toEqual([]);
    expect(f.decode(hex('62636465')).map((x) => text(x.payload))).toEqual(['abcde']);
  });

  it('refuses a length over max without waiting for the body', () => {
    const f = framer('length:u32be,max=1k');
    expect(() => f.decode(hex('00000401'))).toThrow(
      'length:u32be: length field says 1025: a 1025-byte message is over max=1k',
    );
    expect(() => framer('length:u64be').decode(hex('ffffffffffffffff'))).toThrow(FrameError);
  });

  it('refuses a length smaller than what it must count', () => {
    expect(() => framer('length:u32be,include-header').decode(hex('00000002'))).toThrow(
      /length field says 2, less than the 4 bytes it must count/,
    );
  });

  it('refuses to encode a payload its field cannot describe', () => {
    expect(framer('length:u8').encode(new Uint8Array(255)).length).toBe(256);
    expect(() => framer('length:u8').encode(new Uint8Array(256))).toThrow(/1-byte field cannot hold/);
    expect(() => framer('length:u8,adjust=-3').encode(bytes('hi'))).toThrow(FrameError);
  });

  it('reports a stream that ends inside a frame, with the leftover bytes', () => {
    const f = framer('length:u16be');
    f.decode(hex('0005 6162'));
    try {
      f.flush!();
      expect.unreachable();
    } catch (err) {
      expect((err as FrameError).message).toBe('length:u16be: stream ended after 4 bytes of a 7-byte frame');
      expect(Buffer.from((err as FrameError).rest).toString('hex')).toBe('00056162');
    }
    expect(framer('length').flush!()).toEqual([]);
  });

  const config = fc.record({
    width: fc.constantFrom('u8', 'u16', 'u32', 'u64'),
    endian: fc.constantFrom('le', 'be'),
    includeHeader: fc.boolean(),
    adjust: fc.integer({ min: -3, max: 3 }),
  });
  it('property: any chunking decodes back, for every width, byte order, include-header and adjust', () => {
    fc.assert(
      fc.property(
        config,
        fc.array(fc.uint8Array({ minLength: 3, maxLength: 200 }), { maxLength: 8 }),
        offsets,
        (c, ps, cuts) => {
          const spec = `length:${c.width}${c.endian}${c.includeHeader ? ',include-header' : ''},adjust=${c.adjust}`;
          assertRoundTrip(spec, ps, cuts);
        },
      ),
    );
  });
});
