import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteQueue } from '../../../src/plugin/byte-queue.js';

const b = (s: string) => new TextEncoder().encode(s);
const s = (u: Uint8Array) => Buffer.from(u).toString('latin1');

function queueOf(...chunks: string[]): ByteQueue {
  const q = new ByteQueue();
  for (const c of chunks) q.push(b(c));
  return q;
}

describe('ByteQueue', () => {
  it('takes bytes across chunks and counts what is left', () => {
    const q = queueOf('ab', 'cde', 'f');
    expect(q.length).toBe(6);
    expect(s(q.take(3))).toBe('abc');
    expect(q.length).toBe(3);
    expect(s(q.peek(1, 3))).toBe('ef');
    expect(q.byteAt(0)).toBe(0x64);
    expect(s(q.takeAll())).toBe('def');
    expect(q.length).toBe(0);
  });

  it('returns a view, not a copy, when the bytes lie in one large chunk', () => {
    const chunk = new Uint8Array(4096).fill(7);
    const q = new ByteQueue();
    q.push(chunk);
    const got = q.take(4000);
    expect(got.buffer).toBe(chunk.buffer);
    expect(got.byteOffset).toBe(chunk.byteOffset);
  });

  it('copies small chunks, so the caller may reuse them and bytes handed out stay intact', () => {
    const q = new ByteQueue();
    const scratch = new Uint8Array(1);
    const taken: Uint8Array[] = [];
    for (let i = 0; i < 40_000; i++) {
      scratch[0] = i & 0xff;
      q.push(scratch);
      if (i % 7 === 6) taken.push(q.take(7));
    }
    const all = Buffer.concat([...taken, q.takeAll()]);
    expect(all.length).toBe(40_000);
    expect(all.every((v, i) => v === (i & 0xff))).toBe(true);
  });

  it('finds patterns inside chunks and straddling several', () => {
    const q = queueOf('xx\r', '\n', 'y\r\n');
    expect(q.indexOf(b('\r\n'))).toBe(2);
    expect(q.indexOf(b('\r\n'), 3)).toBe(5);
    expect(q.indexOf(b('x\r\ny'))).toBe(1);
    expect(q.indexOf(b('zz'))).toBe(-1);
    expect(q.indexOf(b('\r\n'), 6)).toBe(-1);
  });

  it('stays correct after dropping hundreds of consumed chunks', () => {
    const q = new ByteQueue();
    const model: number[] = [];
    for (let i = 0; i < 300; i++) {
      const chunk = new Uint8Array(1024 + (i % 3)).fill(i & 0xff);
      q.push(chunk);
      model.push(...chunk);
      if (i % 2 === 1)
        expect(Buffer.from(q.take(1500)).equals(Buffer.from(model.splice(0, 1500)))).toBe(true);
    }
    expect(q.length).toBe(model.length);
    // The boundary between the last two chunks: a pattern that straddles them.
    const boundary = Uint8Array.of(298 & 0xff, 299 & 0xff);
    expect(q.indexOf(boundary)).toBe(Buffer.from(model).indexOf(boundary));
    expect(q.indexOf(boundary)).toBeGreaterThan(0);
    expect(Buffer.from(q.takeAll()).equals(Buffer.from(model))).toBe(true);
  });

  it('rejects out-of-range reads', () => {
    const q = queueOf('abc');
    expect(() => q.take(4)).toThrow(RangeError);
    expect(() => q.byteAt(3)).toThrow(RangeError);
    expect(() => q.peek(2, 1)).toThrow(RangeError);
  });

  it('property: behaves like one concatenated buffer under any pushes, takes and searches', () => {
    const op = fc.oneof(
      // Small pushes are copied into the tail buffer, large ones kept by reference: mix both.
      fc.record({
        push: fc
          .oneof(fc.uint8Array({ maxLength: 8 }), fc.uint8Array({ minLength: 1020, maxLength: 1030 }))
          .map((a) => a.map((x) => x % 3)),
      }),
      fc.record({ take: fc.oneof(fc.nat(10), fc.nat(2000)) }),
      fc.record({
        find: fc.uint8Array({ minLength: 1, maxLength: 3 }).map((a) => a.map((x) => x % 3)),
        from: fc.nat(12),
      }),
      fc.record({ at: fc.nat(20) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const q = new ByteQueue();
        let model = Buffer.alloc(0);
        for (const o of ops) {
          if ('push' in o) {
            q.push(o.push);
            model = Buffer.concat([model, o.push]);
          } else if ('take' in o) {
            const n = Math.min(o.take, model.length);
            expect(Buffer.from(q.take(n)).equals(model.subarray(0, n))).toBe(true);
            model = model.subarray(n);
          } else if ('find' in o) {
            const want =
              o.from + o.find.length > model.length ? -1 : model.indexOf(Buffer.from(o.find), o.from);
            expect(q.indexOf(o.find, o.from)).toBe(want);
          } else if (o.at < model.length) {
            expect(q.byteAt(o.at)).toBe(model[o.at]);
          }
          expect(q.length).toBe(model.length);
        }
      }),
      { numRuns: 300 },
    );
  });
});
