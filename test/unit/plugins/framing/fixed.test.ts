import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameError } from '../../../../src/plugin/errors.js';
import { assertRoundTrip, bytes, framer, offsets, text } from './harness.js';

describe('fixed framer', () => {
  it('cuts the stream into records of n bytes', () => {
    const f = framer('fixed:3');
    expect(f.decode(bytes('abcde')).map((x) => text(x.payload))).toEqual(['abc']);
    expect(f.decode(bytes('f')).map((x) => text(x.payload))).toEqual(['def']);
  });

  it('takes sizes with units', () => {
    expect(framer('fixed:1k').decode(new Uint8Array(2048)).length).toBe(2);
  });

  it('encodes an exact payload, pads a short one only when asked', () => {
    expect(text(framer('fixed:4').encode(bytes('abcd')))).toBe('abcd');
    expect(text(framer('fixed:4,pad=\\0').encode(bytes('ab')))).toBe('ab\0\0');
    expect(text(framer('fixed:4,pad=.').encode(bytes('ab')))).toBe('ab..');
    expect(() => framer('fixed:4').encode(bytes('ab'))).toThrow(
      'fixed:4: a 2-byte payload is not 4 bytes (add pad=<byte> to fill it up)',
    );
    expect(() => framer('fixed:4,pad=.').encode(bytes('abcde'))).toThrow(FrameError);
  });

  it('reports a short record at EOF', () => {
    const f = framer('fixed:4');
    f.decode(bytes('abcdef'));
    expect(() => f.flush!()).toThrow('fixed:4: stream ended after 2 bytes of a 4-byte message');
  });

  it('property: any chunking decodes back', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 32 })
          .chain((n) =>
            fc.tuple(
              fc.constant(n),
              fc.array(fc.uint8Array({ minLength: n, maxLength: n }), { maxLength: 10 }),
            ),
          ),
        offsets,
        ([n, ps], cuts) => void assertRoundTrip(`fixed:${n}`, ps, cuts),
      ),
    );
  });
});
