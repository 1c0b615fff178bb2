import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { ReceiveBuffer } from '../../../src/tube/receive-buffer.js';

/** Splits bytes at the given cut points (sorted, deduplicated, inside the array). */
function chunk(bytes: Uint8Array, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    out.push(Buffer.from(bytes.subarray(prev, p)));
    prev = p;
  }
  return out;
}

function filled(chunks: Uint8Array[]): ReceiveBuffer {
  const b = new ReceiveBuffer();
  for (const c of chunks) b.append(c);
  return b;
}

describe('ReceiveBuffer', () => {
  it('finds a pattern split across chunks and consumes only up to its end', () => {
    const b = filled([Buffer.from('HEL'), Buffer.from('LO wor'), Buffer.from('ld\nnext')]);
    const m = b.findText('world\n', 'utf8');
    expect(m).toEqual({ start: 6, end: 12 });
    expect(b.take(m!.end).toString()).toBe('HELLO world\n');
    expect(b.peek().toString()).toBe('next');
  });

  it('anchors ^ at the start of the buffer, however the bytes came', () => {
    const b = filled([Buffer.from('xOK 1\n'), Buffer.from('OK 2\n')]);
    expect(b.findRegex(/^OK (\d)/, 'utf8')).toBeUndefined();
    b.discard(1);
    const m = b.findRegex(/^OK (\d)/, 'utf8')!;
    expect([m.start, m.end, m.exec![1]]).toEqual([0, 4, '1']);
    b.discard(m.end);
    expect(b.findRegex(/^OK (\d)/, 'utf8')).toBeUndefined();
    b.discard(1);
    expect(b.findRegex(/^OK (\d)/, 'utf8')!.exec![1]).toBe('2');
  });

  it('keeps the regex lastIndex and treats y as anchored at the start', () => {
    const re = /b/gy;
    re.lastIndex = 5;
    const b = filled([Buffer.from('ab')]);
    expect(b.findRegex(re, 'utf8')).toBeUndefined();
    expect(re.lastIndex).toBe(5);
    expect(b.findRegex(/b/g, 'utf8')).toMatchObject({ start: 1, end: 2 });
  });

  it('never lets a regex see half a UTF-8 character', () => {
    const b = new ReceiveBuffer();
    b.append(Buffer.from([0x61, 0xe4, 0xb8])); // "a" and two bytes of 中
    expect(b.text('utf8')).toBe('a');
    expect(b.findRegex(/a(.)/su, 'utf8')).toBeUndefined();
    b.append(Buffer.from([0xad, 0x62]));
    const m = b.findRegex(/a(.)/su, 'utf8')!;
    expect([m.start, m.end, m.exec![1]]).toEqual([0, 4, '中']);
    b.markEnd();
  });

  it('maps matches back to bytes in GBK and after invalid bytes', () => {
    const gbk = Buffer.concat([iconv.encode('你好 中文 42;', 'gbk'), Buffer.from('tail')]);
    const b = filled(chunk(gbk, [1, 3, 8, 9]));
    const m = b.findRegex(/中文 (\d+);/, 'gbk')!;
    expect([m.start, m.end, m.exec![1]]).toEqual([5, 13, '42']);
    expect(b.take(m.end).equals(gbk.subarray(0, 13))).toBe(true);
    expect(b.peek().toString()).toBe('tail');
    expect(b.findRegex(/^tail$/, 'gbk')).toMatchObject({ start: 0, end: 4 });

    const bad = filled([Buffer.from([0xff, 0xfe, 0x41, 0xc3]), Buffer.from([0xa9, 0x42])]);
    const n = bad.findRegex(/A(.)B/, 'utf8')!;
    expect([n.start, n.end, n.exec![1]]).toEqual([2, 6, 'é']);
  });

  it('survives iconv-lite losing text when a chunk completes a held-back character', () => {
    const bytes = iconv.encode('a😀bcdefgh', 'gb18030');
    for (let cut = 1; cut < bytes.length; cut++) {
      const b = new ReceiveBuffer();
      b.append(bytes.subarray(0, cut));
      b.findRegex(/x/, 'gb18030');
      b.append(bytes.subarray(cut));
      expect(b.text('gb18030')).toBe('a😀bcdefgh');
    }
  });

  it('rounds a match that ends inside a surrogate pair up to the whole character', () => {
    const b = filled([Buffer.from('x😀y')]);
    const m = b.findRegex(/x./, 'utf8')!;
    expect(m.end).toBe(5);
    b.discard(m.end);
    expect(b.text('utf8')).toBe('y');
  });

  it('matches bytes exactly in latin1', () => {
    const b = filled([Buffer.from([0x00, 0xff, 0x10]), Buffer.from([0x80, 0x0a])]);
    const m = b.findRegex(/\xff(.)\x80/s, 'latin1')!;
    expect([m.start, m.end, m.exec![1]!.charCodeAt(0)]).toEqual([1, 4, 0x10]);
    expect(b.findBytes(Buffer.from([0x10, 0x80]))).toEqual({ start: 2, end: 4 });
  });

  it('unget puts bytes back in front, also after the front was consumed', () => {
    const b = filled([Buffer.from('abcdef')]);
    const ab = b.take(2);
    b.unget(ab);
    expect(b.peek().toString()).toBe('abcdef');
    b.unget(Buffer.from('0123456789'.repeat(1000)));
    expect(b.length).toBe(10006);
    expect(b.findRegex(/9a/, 'utf8')).toMatchObject({ start: 9999, end: 10001 });
  });

  it('finds bytes exactly as Buffer.indexOf on the whole stream, however chunked (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        fc.uint8Array({ minLength: 1, maxLength: 4 }),
        (bytes, cuts, needle) => {
          const b = filled(chunk(bytes, cuts));
          const want = Buffer.from(bytes).indexOf(needle);
          expect(b.findBytes(needle)?.start ?? -1).toBe(want);
        },
      ),
    );
  });

  it('finds the same regex match, in bytes, however chunked and whenever searched (property)', () => {
    const alphabet = fc.constantFrom('a', 'b', 'é', '中', '😀', '\n', ' ', '1');
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 60 }).map((a) => a.join('')),
        fc.array(fc.nat(), { maxLength: 20 }),
        fc.constantFrom(/b(.)\s*1/su, /^a+/, /中+(😀)?/u, /\n(..)/s, /é\d/),
        fc.constantFrom('utf8', 'gb18030', 'utf16le'),
        (text, cuts, re, encoding) => {
          const bytes = iconv.encode(text, encoding);
          const b = new ReceiveBuffer();
          for (const c of chunk(bytes, cuts)) {
            b.append(c);
            b.findRegex(re, encoding); // exercises the incremental text
          }
          const got = b.findRegex(re, encoding);
          const m = re.exec(text);
          if (!m) {
            expect(got).toBeUndefined();
            return;
          }
          const byteLen = (s: string) => iconv.encode(s, encoding).length;
          expect(got).toBeDefined();
          expect(got!.start).toBe(byteLen(text.slice(0, m.index)));
          // A match ending in the middle of a surrogate pair takes the whole character.
          let end = m.index + m[0].length;
          if (/[\uD800-\uDBFF]/.test(text[end - 1] ?? '')) end++;
          expect(got!.end).toBe(byteLen(text.slice(0, end)));
          expect([...got!.exec!]).toEqual([...m]);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('behaves like one plain byte string under any mix of operations (model property)', () => {
    type Op =
      | { op: 'append'; data: Uint8Array }
      | { op: 'take'; n: number }
      | { op: 'unget'; data: Uint8Array }
      | { op: 'regexTake' };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ op: fc.constant('append' as const), data: fc.uint8Array({ maxLength: 30 }) }),
      fc.record({ op: fc.constant('take' as const), n: fc.nat(40) }),
      fc.record({ op: fc.constant('unget' as const), data: fc.uint8Array({ maxLength: 10 }) }),
      fc.record({ op: fc.constant('regexTake' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), fc.constantFrom('utf8', 'latin1'), (ops, encoding) => {
        const b = new ReceiveBuffer();
        let model = Buffer.alloc(0);
        for (const o of ops) {
          if (o.op === 'append') {
            b.append(o.data);
            model = Buffer.concat([model, o.data]);
          } else if (o.op === 'take') {
            expect(b.take(o.n).equals(model.subarray(0, o.n))).toBe(true);
            model = model.subarray(Math.min(o.n, model.length));
          } else if (o.op === 'unget') {
            b.unget(o.data);
            model = Buffer.concat([o.data, model]);
          } else {
            const m = b.findRegex(/[\x00-\x40]+/, encoding);
            if (m) {
              b.discard(m.end);
              model = model.subarray(m.end);
            }
          }
          expect(b.peek().equals(model)).toBe(true);
          // The text is what a WHATWG stream decoder gives for the same bytes: an incomplete tail
          // held back, a byte that can never start a character replaced at once.
          const expected =
            encoding === 'utf8'
              ? new TextDecoder('utf-8').decode(model, { stream: true })
              : model.toString('latin1');
          expect(b.text(encoding)).toBe(expected);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps at most its limit, dropping and counting the oldest bytes', () => {
    const b = new ReceiveBuffer({ limit: 8 });
    b.append(Buffer.from('abcdef'));
    expect(b.findText('cd', 'utf8')).toEqual({ start: 2, end: 4 });
    b.append(Buffer.from('ghij'));
    expect([b.peek().toString(), b.length, b.dropped]).toEqual(['cdefghij', 8, 2]);
    // Chunks nobody searched are dropped whole, or cut, without being copied first.
    b.append(Buffer.from('klmnopqrst'));
    b.append(Buffer.from('uv'));
    expect([b.peek().toString(), b.dropped]).toEqual(['opqrstuv', 14]);
    expect(b.findRegex(/q(r)s/, 'utf8')).toMatchObject({ start: 2, end: 5 });
  });

  it('behaves like the last `limit` bytes of one plain byte string (model property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.uint8Array({ maxLength: 12 }), fc.nat(10)), { maxLength: 40 }),
        fc.integer({ min: 1, max: 24 }),
        (ops, limit) => {
          const b = new ReceiveBuffer({ limit });
          let model = Buffer.alloc(0);
          let dropped = 0;
          for (const o of ops) {
            if (typeof o === 'number') {
              expect(b.take(o).equals(model.subarray(0, o))).toBe(true);
              model = model.subarray(Math.min(o, model.length));
            } else {
              b.append(o);
              model = Buffer.concat([model, o]);
              const over = Math.max(0, model.length - limit);
              dropped += over;
              model = model.subarray(over);
            }
            expect(b.length).toBe(model.length);
            expect(b.dropped).toBe(dropped);
            // Searched now and then: bytes move into the store at different times.
            if (model.length % 3 === 0) {
              expect(b.peek().equals(model)).toBe(true);
              expect(b.text('utf8')).toBe(new TextDecoder('utf-8').decode(model, { stream: true }));
            }
          }
          expect(b.peek().equals(model)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('tells a waiter when bytes arrive, come back or end; clear drops everything', async () => {
    const b = new ReceiveBuffer();
    let woken = 0;
    const wait = () => b.changed().then(() => woken++);
    let w = wait();
    b.append(Buffer.from('x'));
    await w;
    w = wait();
    b.unget(Buffer.from('y'));
    await w;
    w = wait();
    b.markEnd();
    await w;
    expect([woken, b.atEnd, b.peek().toString()]).toEqual([3, true, 'yx']);
    b.append(Buffer.from('never searched'));
    b.clear();
    expect([b.length, b.peek().length]).toEqual([0, 0]);
  });

  it('moves each byte O(1) times: megabytes in tiny chunks stay fast', () => {
    const b = new ReceiveBuffer();
    const piece = Buffer.alloc(16, 0x61);
    const t0 = performance.now();
    // Keep ~1 MiB buffered while 4 MiB stream through 16-byte appends and takes.
    for (let i = 0; i < 65536; i++) b.append(piece);
    for (let i = 0; i < 4 * 65536; i++) {
      b.append(piece);
      b.discard(16);
    }
    expect(b.length).toBe(1 << 20);
    // Searching a growing buffer for a delimiter from where the last search stopped is linear too.
    let from = 0;
    for (let i = 0; i < 20000; i++) {
      b.append(piece);
      expect(b.indexOf(Buffer.from('\n'), from)).toBe(-1);
      from = b.length;
    }
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});
