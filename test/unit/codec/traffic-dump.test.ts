import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { glyphWidth } from '../../../src/codec/glyphs.js';
import { hexdump } from '../../../src/codec/hexdump.js';
import {
  formatTrafficDump,
  formatTrafficHeader,
  type TrafficChunk,
  TrafficDumper,
} from '../../../src/codec/traffic-dump.js';

const time = new Date('2024-05-01T12:00:00.123Z');

describe('formatTrafficDump', () => {
  it('marks sent data with > and received with <, like socat -x, then dumps it', () => {
    expect(formatTrafficDump({ dir: 'out', conn: 1, time, bytes: Buffer.from('hello') })).toBe(
      '> 2024-05-01T12:00:00.123Z conn=1 length=5\n' +
        '00000000  68 65 6c 6c 6f                                    |hello|\n',
    );
    expect(formatTrafficDump({ dir: 'in', conn: '127.0.0.1:4000', time, bytes: Buffer.from('OK\r\n') })).toBe(
      '< 2024-05-01T12:00:00.123Z conn=127.0.0.1:4000 length=4\n' +
        '00000000  4f 4b 0d 0a                                       |OK..|\n',
    );
  });

  it('prints just the header for an empty chunk (an empty datagram)', () => {
    expect(formatTrafficDump({ dir: 'in', conn: 2, time, bytes: new Uint8Array(0) })).toBe(
      '< 2024-05-01T12:00:00.123Z conn=2 length=0\n',
    );
  });

  it('decodes the text column in the session encoding, at the asked width', () => {
    const out = formatTrafficDump(
      { dir: 'in', conn: 1, time, bytes: iconv.encode('你好, world', 'gbk') },
      { encoding: 'gbk', columns: 8 },
    );
    expect(out).toBe(
      '< 2024-05-01T12:00:00.123Z conn=1 length=11\n' +
        '00000000  c4 e3 ba c3  2c 20 77 6f  |你好, wo|\n' +
        '00000008  72 6c 64                  |rld|\n',
    );
  });

  it('keeps every line of a large chunk (squeezed runs end with their length)', () => {
    const out = formatTrafficDump({ dir: 'out', conn: 1, time, bytes: new Uint8Array(4096) });
    expect(out.split('\n')).toEqual([
      '> 2024-05-01T12:00:00.123Z conn=1 length=4096',
      '00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|',
      '*',
      '00001000',
      '',
    ]);
  });

  it('has a header that is easy to grep', () => {
    expect(formatTrafficHeader({ dir: 'out', conn: 7, time, length: 12 })).toBe(
      '> 2024-05-01T12:00:00.123Z conn=7 length=12',
    );
  });
});

/** The dump lines of a traffic dump or hex dump, without headers. */
function dumpLines(dump: string): string[] {
  return dump.split('\n').filter((l) => /^[0-9a-f]{8}/.test(l) || l === '*');
}

/** The text columns of a dump's lines, joined. */
function textOf(dump: string): string {
  return dumpLines(dump)
    .map((l) => (l.includes('|') ? l.slice(l.indexOf('|') + 1, l.lastIndexOf('|')) : ''))
    .join('');
}

/** The lines with the text column left out: offsets and hex. */
function hexOf(dump: string): string[] {
  return dumpLines(dump).map((l) => (l.includes('|') ? l.slice(0, l.indexOf('|')) : l));
}

const chunk = (bytes: Uint8Array, conn: number | string = 1, dir: 'in' | 'out' = 'in'): TrafficChunk => ({
  dir,
  conn,
  time,
  bytes,
});

/** `data` cut at the given sizes (cycled), every piece at least one byte. */
function cut(data: Uint8Array, sizes: number[]): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  for (let at = 0, k = 0; at < data.length; k++) {
    const n = Math.max(1, sizes.length ? sizes[k % sizes.length]! : data.length);
    pieces.push(data.subarray(at, at + n));
    at += n;
  }
  return pieces;
}

/** Whether a dump of `bytes` squeezes a line (then the text column does not show every byte). */
function squeezes(bytes: Uint8Array, cols: number): boolean {
  for (let i = cols; i + cols <= bytes.length; i += cols)
    if (Buffer.compare(bytes.subarray(i - cols, i), bytes.subarray(i, i + cols)) === 0) return true;
  return false;
}

describe('TrafficDumper: each connection and direction is one stream', () => {
  it('shows a character split between two chunks whole, in the chunk that completes it', () => {
    const d = new TrafficDumper();
    const data = Buffer.from('hé llo 界ok');
    expect(d.format(chunk(data.subarray(0, 9)))).toBe(
      '< 2024-05-01T12:00:00.123Z conn=1 length=9\n' +
        '00000000  68 c3 a9 20 6c 6c 6f 20  e7                       |hé  llo  |\n',
    );
    expect(d.format(chunk(data.subarray(9)))).toBe(
      '< 2024-05-01T12:00:00.123Z conn=1 length=4\n' +
        '00000000  95 8c 6f 6b                                       |界ok|\n',
    );
    // One chunk alone, as before: the cut character is dots.
    expect(formatTrafficDump(chunk(data.subarray(9)))).toMatch(/\|\.\.ok\|\n$/);
  });

  it('carries a character over several chunks, in GBK and UTF-16 too', () => {
    const d = new TrafficDumper();
    const emoji = Buffer.from('😀!');
    expect([...emoji].map((b) => textOf(d.format(chunk(Buffer.of(b)))))).toEqual([' ', ' ', ' ', '😀', '!']);
    const gbk = new TrafficDumper({ encoding: 'gbk' });
    const bytes = iconv.encode('你好', 'gbk');
    expect(textOf(gbk.format(chunk(bytes.subarray(0, 3))))).toBe('你 ');
    expect(textOf(gbk.format(chunk(bytes.subarray(3))))).toBe('好');
    // UTF-16: an odd chunk no longer shifts every unit after it.
    const u16 = new TrafficDumper({ encoding: 'utf16le' });
    const units = iconv.encode('ab😀c', 'utf16le');
    expect(textOf(u16.format(chunk(units.subarray(0, 3))))).toBe('a  ');
    expect(textOf(u16.format(chunk(units.subarray(3, 6))))).toBe('b  ');
    expect(textOf(u16.format(chunk(units.subarray(6))))).toBe('😀c ');
  });

  it('keeps streams apart: other connections and the other direction in between change nothing', () => {
    const d = new TrafficDumper();
    const data = Buffer.from('界');
    expect(textOf(d.format(chunk(data.subarray(0, 1), 1, 'in')))).toBe(' ');
    expect(textOf(d.format(chunk(Buffer.from([0x95, 0x8c]), 2, 'in')))).toBe('..');
    expect(textOf(d.format(chunk(Buffer.from([0x95, 0x8c]), 1, 'out')))).toBe('..');
    expect(d.format(chunk(new Uint8Array(0), 1, 'in'))).toBe('< 2024-05-01T12:00:00.123Z conn=1 length=0\n');
    expect(textOf(d.format(chunk(data.subarray(1), 1, 'in')))).toBe('界');
  });

  it('shows bytes that turn out to be no character as dots, and forgets a closed connection', () => {
    const d = new TrafficDumper();
    expect(textOf(d.format(chunk(Buffer.from([0x41, 0xe7, 0x95]))))).toBe('A  ');
    // The held bytes were shown as blanks; what follows them is dumped as it is.
    expect(textOf(d.format(chunk(Buffer.from('Bc'))))).toBe('Bc');
    expect(textOf(d.format(chunk(Buffer.from([0xe7]))))).toBe(' ');
    expect(textOf(d.format(chunk(Buffer.from([0x95, 0x41]))))).toBe('.A');
    expect(textOf(d.format(chunk(Buffer.from([0xe7]))))).toBe(' ');
    d.forget(1);
    expect(textOf(d.format(chunk(Buffer.from([0x95, 0x8c]))))).toBe('..');
    // A UTF-16 high surrogate and an odd byte held, then a unit that is no low surrogate.
    const u16 = new TrafficDumper({ encoding: 'utf16le' });
    expect(textOf(u16.format(chunk(Buffer.from([0x3d, 0xd8, 0x61]))))).toBe('   ');
    expect(textOf(u16.format(chunk(Buffer.from([0x00, 0x62, 0x00]))))).toBe('ab ');
  });

  it('puts the frame number in the header', () => {
    expect(new TrafficDumper().format({ ...chunk(Buffer.from('hi')), frame: 3 })).toBe(
      '< 2024-05-01T12:00:00.123Z conn=1 frame=3 length=2\n' +
        '00000000  68 69                                             |hi|\n',
    );
  });

  it('rejects a bad encoding, as formatTrafficDump does', () => {
    expect(() => new TrafficDumper({ encoding: 'gbkk' }).format(chunk(Buffer.from('a')))).toThrow(
      "unknown encoding 'gbkk'",
    );
  });

  const encodings = ['utf8', 'gbk', 'shiftjis', 'big5', 'gb18030', 'utf16le', 'utf16be', 'latin1'] as const;

  /** Bytes in one of the encodings: valid text, random bytes, or both. */
  const streamBytes = fc.constantFrom(...encodings).chain((encoding) =>
    fc.tuple(
      fc.constant(encoding),
      fc
        .array(
          fc.oneof(
            fc.string({ unit: 'grapheme', maxLength: 8 }).map((t) => iconv.encode(t, encoding)),
            fc.constantFrom('界😀é', '你好, world', 'ｱ日本').map((t) => iconv.encode(t, encoding)),
            fc.uint8Array({ maxLength: 6 }),
          ),
          { maxLength: 8 },
        )
        .map((parts) => Buffer.concat(parts)),
    ),
  );

  /** An end that leaves no character unfinished: a `Z` on a whole UTF-16 unit, or the byte `Z`. */
  function finished(data: Buffer, encoding: string): Buffer {
    if (!encoding.startsWith('utf16')) return Buffer.concat([data, Buffer.from('Z')]);
    const pad = Buffer.alloc(data.length % 2);
    return Buffer.concat([data, pad, iconv.encode('Z', encoding)]);
  }

  it('dumps any split of a stream as its whole dump shows it: the same characters, in order', () => {
    fc.assert(
      fc.property(
        streamBytes,
        fc.array(fc.integer({ min: 1, max: 20 }), { maxLength: 5 }),
        fc.constantFrom(16, 5),
        ([encoding, bytes], sizes, columns) => {
          const data = finished(bytes, encoding);
          fc.pre(!squeezes(data, columns));
          const pieces = cut(data, sizes);
          fc.pre(pieces.every((p) => !squeezes(p, columns)));
          const d = new TrafficDumper({ encoding, columns });
          const dumps = pieces.map((p) => d.format(chunk(p)));
          // Blanks and dots aside (bytes held at a cut that turn out to be no character are
          // blanks where the whole dump has dots), every glyph is there, once, in order.
          const glyphs = (t: string) => t.replace(/[ .]/g, '');
          const whole = hexdump(data, { encoding, columns });
          expect(glyphs(dumps.map(textOf).join(''))).toBe(glyphs(textOf(whole)));
          // Offsets, hex, and every cell count are as each chunk dumped on its own.
          dumps.forEach((dump, k) => {
            const alone = formatTrafficDump(chunk(pieces[k]!), { encoding, columns });
            expect(hexOf(dump)).toEqual(hexOf(alone));
            expect(dump.split('\n')[0]).toBe(alone.split('\n')[0]);
            if (encoding === 'latin1') expect(dump).toBe(alone);
          });
        },
      ),
      { numRuns: 400 },
    );
  });

  it('shows valid text split anywhere without a dot, every character once', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...encodings.filter((e) => e !== 'latin1')),
        fc
          .string({ unit: 'grapheme', maxLength: 30 })
          // Characters the text column shows (not as dots), and no blanks or dots of its own.
          .map((t) =>
            Array.from(t.replace(/[ .]/g, ''))
              .filter((ch) => glyphWidth(ch.codePointAt(0)!) > 0)
              .join(''),
          ),
        fc.array(fc.integer({ min: 1, max: 7 }), { maxLength: 5 }),
        (encoding, text, sizes) => {
          const data = iconv.encode(text, encoding);
          fc.pre(iconv.decode(data, encoding) === text);
          const pieces = cut(data, sizes);
          fc.pre(pieces.every((p) => !squeezes(p, 4)));
          const d = new TrafficDumper({ encoding, columns: 4 });
          const shown = pieces.map((p) => textOf(d.format(chunk(p)))).join('');
          expect(shown.replace(/ /g, '')).toBe(text);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('dumps each stream the same whatever other streams are interleaved with it', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('utf8', 'gbk', 'utf16le'),
        fc.array(
          fc.record({
            stream: fc.constantFrom('1in', '1out', '2in'),
            bytes: fc.uint8Array({ maxLength: 5 }),
          }),
          { maxLength: 12 },
        ),
        (encoding, chunks) => {
          const mixed = new TrafficDumper({ encoding });
          const alone = new Map<string, TrafficDumper>();
          for (const { stream, bytes } of chunks) {
            const c = chunk(bytes, Number(stream[0]), stream.slice(1) as 'in' | 'out');
            if (!alone.has(stream)) alone.set(stream, new TrafficDumper({ encoding }));
            expect(mixed.format(c)).toBe(alone.get(stream)!.format(c));
          }
        },
      ),
    );
  });

  it("formatBytes gives format's text; a dumper that takes over a stream (take, hold) goes on as one would", () => {
    fc.assert(
      fc.property(
        streamBytes,
        fc.array(fc.integer({ min: 1, max: 9 }), { maxLength: 6 }),
        fc.nat(),
        ([encoding, bytes], sizes, at) => {
          const pieces = cut(bytes, sizes);
          const handover = pieces.length === 0 ? 0 : at % (pieces.length + 1);
          const one = new TrafficDumper({ encoding });
          const first = new TrafficDumper({ encoding });
          let second: TrafficDumper | undefined;
          pieces.forEach((p, k) => {
            if (k === handover) {
              second = new TrafficDumper({ encoding });
              second.hold('in', 1, first.take('in', 1));
            }
            const c = chunk(p);
            const expected = one.format(c);
            const got = second ? second.formatBytes(c) : first.formatBytes(c);
            // The very bytes the string is written as (not only the same text once decoded).
            expect(got.equals(Buffer.from(expected, 'utf8'))).toBe(true);
            // Its own memory, so that a worker can transfer it.
            expect(got.buffer.byteLength).toBeGreaterThanOrEqual(got.length);
            expect(got.buffer).not.toBe(Buffer.allocUnsafe(1).buffer);
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
