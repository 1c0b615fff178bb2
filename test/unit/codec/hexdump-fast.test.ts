import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HexDumper, type HexDumpOptions } from '../../../src/codec/hexdump.js';

/**
 * The line writer in WebAssembly (hexdump-runs.ts) against the general writer it stands in for: the
 * same bytes out for any input and any options, one-shot and streamed.
 */

function dump(data: Uint8Array, options: HexDumpOptions, fastPath: boolean, sizes: number[] = []): string {
  const d = new HexDumper(options, { fastPath });
  if (sizes.length === 0) {
    const out = Buffer.alloc(d.outputBound(data.length));
    return out.toString('utf8', 0, d.formatInto(data, true, out).written);
  }
  const parts: Buffer[] = [];
  let at = 0;
  let k = 0;
  while (at < data.length) {
    const n = sizes[k++ % sizes.length]!;
    parts.push(d.write(data.subarray(at, at + n)));
    at += n;
  }
  parts.push(d.end());
  return Buffer.concat(parts).toString('utf8');
}

/** Random bytes, UTF-8 text of every kind, repeated lines, and bytes that look like UTF-8 but are not. */
const bytes = fc
  .array(
    fc.oneof(
      fc.uint8Array({ maxLength: 70 }),
      fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => Buffer.from(s, 'utf8')),
      fc.string({ unit: 'binary', maxLength: 10 }).map((s) => Buffer.from(s, 'utf8')),
      fc
        .uint8Array({ maxLength: 40 })
        .map((b) =>
          b.map((x) => [0x41, 0xf0, 0x9f, 0x98, 0x80, 0xe4, 0xb8, 0xc3, 0xa9, 0x20, 0x7f, 0][x % 12]!),
        ),
      fc.constantFrom(Buffer.alloc(48), Buffer.alloc(35, 0x41), Buffer.from('世界 Ünïcödé 😀 ｶﾀｶﾅ\n')),
    ),
    { maxLength: 10 },
  )
  .map((parts) => Buffer.concat(parts));

const options: fc.Arbitrary<HexDumpOptions> = fc
  .record({
    columns: fc.oneof(fc.constantFrom(16, 16, 8, 32, 4), fc.integer({ min: 1, max: 40 })),
    group: fc.constantFrom(1, 1, 2, 3, 4, 8),
    encoding: fc.constantFrom(
      'utf8',
      'utf8',
      'latin1',
      'ascii',
      'gbk',
      'utf16le',
      'shiftjis',
      'cesu8',
      false as const,
    ),
    squeeze: fc.boolean(),
    uppercase: fc.boolean(),
    startOffset: fc.constantFrom(0, 0, 5, 2 ** 32 - 48),
  })
  .map((o) => ({ ...o, group: o.group > o.columns ? 1 : o.group }));

describe('hex dump fast path', () => {
  it('writes what the general writer writes, for any bytes and options', () => {
    fc.assert(
      fc.property(bytes, options, (data, o) => {
        expect(dump(data, o, true)).toBe(dump(data, o, false));
      }),
      { numRuns: 1500 },
    );
  });

  it('does so streamed in any chunks, where lines wait for the bytes after them', () => {
    fc.assert(
      fc.property(
        bytes,
        options,
        fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 6 }),
        (data, o, sizes) => {
          expect(dump(data, o, true, sizes)).toBe(dump(data, o, false));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('does so on large random blocks in the default layout and UTF-8', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 4096, maxLength: 20_000 }),
        fc.constantFrom(16, 32, 12),
        (data, columns) => {
          expect(dump(data, { columns }, true)).toBe(dump(data, { columns }, false));
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe('hex dump fast path, chunk by chunk (traffic dumps)', () => {
  it('holds a character that a full line ends inside, one byte before the chunk ends', () => {
    // The second line is a full line with a byte after it, and e4 b8 is the start of a
    // three-byte character cut by the end of the chunk: blanks, held for the next chunk.
    for (const fastPath of [true, false]) {
      const d = new HexDumper({ columns: 4 }, { fastPath });
      const chunk = Buffer.from('41414141414141e4b8', 'hex');
      const out = Buffer.alloc(d.outputBound(chunk.length));
      const { written, held } = d.formatChunk(chunk, new Uint8Array(0), out);
      expect({ fastPath, held, text: out.toString('utf8', 0, written) }).toEqual({
        fastPath,
        held: 2,
        text: '00000000  41 41 41 41  |AAAA|\n00000004  41 41 41 e4  |AAA |\n00000008  b8           | |\n',
      });
    }
  });

  it('draws characters split between chunks as the general writer does', () => {
    const utf8ish = fc
      .uint8Array({ minLength: 1, maxLength: 40 })
      .map((b) =>
        b.map((x) => [0x41, 0xe4, 0xb8, 0x96, 0xf0, 0x9f, 0x98, 0x80, 0xc3, 0xa9, 0x20, 0x7f][x % 12]!),
      );
    fc.assert(
      fc.property(
        fc.array(utf8ish, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 12 }),
        fc.constantFrom('utf8', 'gbk', 'utf16le'),
        (chunks, columns, encoding) => {
          const dumpAll = (fastPath: boolean) => {
            let before: Uint8Array = new Uint8Array(0);
            return chunks.map((chunk) => {
              const d = new HexDumper({ columns, encoding }, { fastPath });
              const out = Buffer.alloc(d.outputBound(chunk.length));
              const { written, held } = d.formatChunk(chunk, before, out);
              const joined = Buffer.concat([before, chunk]);
              before = held > 0 ? joined.subarray(joined.length - held) : new Uint8Array(0);
              return out.toString('utf8', 0, written);
            });
          };
          expect(dumpAll(true)).toEqual(dumpAll(false));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
