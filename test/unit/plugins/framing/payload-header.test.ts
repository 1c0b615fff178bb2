import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { payloadOffsetOf } from '../../../../src/plugin/frame-payload.js';
import type { Frame } from '../../../../src/plugin/types.js';
import { concat, cut, decodeChunks, framer } from './harness.js';

/** What the built-in framers report besides the frame: where the payload starts, and the header. */

describe('payload and header of built-in frames', () => {
  it('length: the payload after the field, header { length } as sent', () => {
    const f = framer('length:u16be,include-header');
    const [frame] = f.decode(f.encode(Uint8Array.from([1, 2, 3])));
    expect(frame!.payloadOffset).toBe(2);
    expect(frame!.header).toEqual({ length: 5 });
    expect(payloadOffsetOf(frame!)).toBe(2);
  });

  it('varint: header { length }', () => {
    const f = framer('varint');
    const [frame] = f.decode(f.encode(new Uint8Array(200)));
    expect(frame!.header).toEqual({ length: 200 });
    expect(payloadOffsetOf(frame!)).toBe(2);
  });

  it('json-header: the parsed JSON header, payload after it', () => {
    const head = Buffer.from('{"data_size":2,"kind":"x"}');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(head.length);
    const [frame] = framer('json-header').decode(Buffer.concat([len, head, Buffer.from('hi')]));
    expect(frame!.header).toEqual({ data_size: 2, kind: 'x' });
    expect(payloadOffsetOf(frame!)).toBe(4 + head.length);
    expect(Buffer.from(frame!.payload).toString()).toBe('hi');
  });

  it('lines, fixed: no header, the payload at 0', () => {
    const [line] = framer('lines').decode(Buffer.from('abc\n'));
    expect(line!.header).toBeUndefined();
    expect(payloadOffsetOf(line!)).toBe(0);
    const [rec] = framer('fixed:3').decode(Buffer.from('xyz'));
    expect(payloadOffsetOf(rec!)).toBe(0);
  });

  it('a plugin frame: a wrong payloadOffset is not trusted; a copied payload is found; one not in the bytes has none', () => {
    const bytes = Uint8Array.from([9, 9, 1, 2]);
    expect(payloadOffsetOf({ bytes, payload: Uint8Array.from([1, 2]), payloadOffset: 0 })).toBe(2);
    expect(payloadOffsetOf({ bytes, payload: Uint8Array.from([1, 2]) })).toBe(2);
    expect(payloadOffsetOf({ bytes, payload: bytes.subarray(1) })).toBe(1);
    expect(payloadOffsetOf({ bytes, payload: Uint8Array.from([7]) })).toBeUndefined();
    expect(payloadOffsetOf({ bytes, payload: new Uint8Array(0), payloadOffset: 4 })).toBe(4);
  });

  it('property: for every built-in framer and chunking, the payload lies at its offset in the frame', () => {
    const specs = ['length:u32be', 'length:u8,adjust=1', 'varint', 'lines', 'delim:\\r\\n', 'json-header'];
    fc.assert(
      fc.property(
        fc.constantFrom(...specs),
        fc.array(fc.uint8Array({ maxLength: 60 }), { maxLength: 6 }),
        fc.array(fc.nat(500), { maxLength: 8 }),
        (spec, payloads, points) => {
          const f = framer(spec);
          // Line-like framers cannot carry their own delimiter: strip it from generated payloads.
          const clean = payloads.map((p) =>
            spec === 'lines' || spec.startsWith('delim') ? p.filter((b) => b !== 10 && b !== 13) : p,
          );
          const wire = concat(clean.map((p) => f.encode(p)));
          const frames: Frame[] = decodeChunks(framer(spec), cut(wire, points));
          expect(frames).toHaveLength(clean.length);
          frames.forEach((frame, i) => {
            const at = payloadOffsetOf(frame);
            expect(at).toBeDefined();
            expect(
              Buffer.from(frame.bytes.subarray(at!, at! + frame.payload.length)).equals(
                Buffer.from(clean[i]!),
              ),
            ).toBe(true);
            if (spec.startsWith('length:u32be')) expect(frame.header).toEqual({ length: clean[i]!.length });
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
