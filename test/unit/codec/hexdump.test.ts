import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { glyphWidth } from '../../../src/codec/glyphs.js';
import {
  BYTE_CLASSES,
  byteClass,
  HexDumper,
  type HexDumpOptions,
  hexdump,
  hexdumpRows,
} from '../../../src/codec/hexdump.js';

const hasHexdump = spawnSync('hexdump', ['-C'], { input: 'x' }).status === 0;

/** Streams `data` through a dumper in the given chunk sizes. */
function streamed(data: Uint8Array, sizes: number[], options: HexDumpOptions = {}): string {
  const d = new HexDumper(options);
  const parts: Buffer[] = [];
  let at = 0;
  let k = 0;
  while (at < data.length) {
    const n = Math.max(1, sizes.length ? sizes[k++ % sizes.length]! : data.length);
    parts.push(d.write(data.subarray(at, at + n)));
    at += n;
  }
  parts.push(d.end());
  return Buffer.concat(parts).toString('utf8');
}

/** The text column of every line, joined, without the blanks that cover multi-byte characters. */
function textColumn(dump: string): string {
  return dump
    .split('\n')
    .filter(Boolean)
    .map((l) => l.slice(l.indexOf('|') + 1, l.lastIndexOf('|')))
    .join('')
    .replace(/ /g, '');
}

/** Bytes that are partly random and partly real text, so multi-byte characters occur. */
const mixedBytes = fc
  .array(
    fc.oneof(
      fc.uint8Array({ maxLength: 20 }),
      fc.string({ unit: 'grapheme', maxLength: 12 }).map((s) => Buffer.from(s, 'utf8')),
      fc.constantFrom(Buffer.from('世界 Ünïcödé 😀 ｶﾀｶﾅ\n'), Buffer.alloc(40), Buffer.alloc(33, 0x41)),
    ),
    { maxLength: 12 },
  )
  .map((parts) => Buffer.concat(parts));

/**
 * An independent model of the UTF-8 text column: decode the whole input into characters
 * first, then lay the cells out line by line (the dumper does both at once, line by line).
 */
function referenceDump(data: Uint8Array, cols = 16, charAt = utf8At): string {
  const cells: string[] = new Array(data.length).fill('');
  const line = (i: number) => Math.floor(i / cols);
  let i = 0;
  while (i < data.length) {
    const [n, cp] = charAt(data, i);
    if (n > 0 && glyphWidth(cp) > 0) {
      const w = glyphWidth(cp);
      cells[i] = String.fromCodePoint(cp);
      for (let k = 1; k < n; k++) cells[i + k] = line(i + k) !== line(i) ? ' ' : k < w ? '' : ' ';
      i += n;
    } else {
      const m = Math.max(n, 1);
      for (let k = 0; k < m; k++) cells[i + k] = '.';
      i += m;
    }
  }
  const out: string[] = [];
  let squeezing = false;
  for (let start = 0; start < data.length; start += cols) {
    const bytes = data.subarray(start, start + cols);
    const prev = start >= cols ? data.subarray(start - cols, start) : undefined;
    if (prev && bytes.length === cols && Buffer.compare(bytes, prev) === 0) {
      if (!squeezing) out.push('*\n');
      squeezing = true;
      continue;
    }
    squeezing = false;
    const hexCells = [...bytes].map(
      (b, j) => b.toString(16).padStart(2, '0') + (j === 7 && cols === 16 ? ' ' : ''),
    );
    const hexText = hexCells.join(' ').padEnd(cols * 3 + (cols === 16 ? 1 : 0) - 1, ' ');
    out.push(
      `${start.toString(16).padStart(8, '0')}  ${hexText}  |${cells.slice(start, start + bytes.length).join('')}|\n`,
    );
  }
  if (squeezing) out.push(`${data.length.toString(16).padStart(8, '0')}\n`);
  return out.join('');
}

function utf8At(b: Uint8Array, i: number): [number, number] {
  const b0 = b[i]!;
  if (b0 < 0x80) return [1, b0];
  const need = b0 >= 0xc2 && b0 <= 0xdf ? 2 : b0 >= 0xe0 && b0 <= 0xef ? 3 : b0 >= 0xf0 && b0 <= 0xf4 ? 4 : 0;
  if (!need || i + need > b.length) return [0, 0];
  let cp = b0 & (0xff >> (need + 1));
  for (let k = 1; k < need; k++) {
    const c = b[i + k]!;
    if ((c & 0xc0) !== 0x80) return [0, 0];
    cp = (cp << 6) | (c & 0x3f);
  }
  if (cp < [0, 0, 0x80, 0x800, 0x10000][need]! || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
    return [0, 0];
  return [need, cp];
}

/**
 * One UTF-16 character at `b[i]`, as [bytes, code point]: a surrogate pair is one character of
 * 4 bytes; a lone surrogate is a unit that is no character (glyphWidth 0); a last odd byte is 1.
 */
function utf16At(be: boolean): (b: Uint8Array, i: number) => [number, number] {
  const unit = (b: Uint8Array, j: number) => (be ? (b[j]! << 8) | b[j + 1]! : b[j]! | (b[j + 1]! << 8));
  return (b, i) => {
    if (i + 2 > b.length) return [0, 0];
    const u = unit(b, i);
    if (u >= 0xd800 && u <= 0xdbff && i + 4 <= b.length) {
      const v = unit(b, i + 2);
      if (v >= 0xdc00 && v <= 0xdfff) return [4, 0x10000 + ((u - 0xd800) << 10) + (v - 0xdc00)];
    }
    return [2, u];
  };
}

/** UTF-16 code units: text with characters beyond U+FFFF, lone surrogates, any unit at all. */
const utf16Units = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 6 }).map((s) => Array.from(s, (_, k) => s.charCodeAt(k))),
      fc.constantFrom([0xd83d, 0xde00], [0xd83d], [0xde00], [0xdbff, 0xdfff], [0xd800, 0xd800, 0xdc00]),
      fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 4 }),
    ),
    { maxLength: 10 },
  )
  .map((parts) => parts.flat());

function utf16Bytes(units: number[], be: boolean, odd: boolean): Buffer {
  const out = Buffer.alloc(units.length * 2);
  for (const [k, u] of units.entries()) {
    if (be) out.writeUInt16BE(u, 2 * k);
    else out.writeUInt16LE(u, 2 * k);
  }
  return odd && out.length > 0 ? out.subarray(0, -1) : out;
}

describe('hexdump layout', () => {
  it('prints offset, hex in two halves, and the text column, like hexdump -C', () => {
    expect(hexdump(Buffer.from('Hello, world!\n\x00\x01\xff', 'latin1'), { encoding: 'ascii' })).toBe(
      '00000000  48 65 6c 6c 6f 2c 20 77  6f 72 6c 64 21 0a 00 01  |Hello, world!...|\n' +
        '00000010  ff                                                |.|\n',
    );
  });

  it('decodes the text column in UTF-8 by default, a character in the cell of its first byte', () => {
    expect(hexdump(Buffer.from('a世b é', 'utf8'))).toBe(
      '00000000  61 e4 b8 96 62 20 c3 a9                           |a世 b é |\n',
    );
  });

  it('decodes GBK, Shift_JIS and UTF-16 text columns', () => {
    expect(hexdump(iconv.encode('中文ab', 'gbk'), { encoding: 'gbk' })).toBe(
      '00000000  d6 d0 ce c4 61 62                                 |中文ab|\n',
    );
    expect(hexdump(iconv.encode('ｱ日', 'shiftjis'), { encoding: 'shiftjis' })).toBe(
      '00000000  b1 93 fa                                          |ｱ日|\n',
    );
    expect(hexdump(iconv.encode('hi', 'utf16le'), { encoding: 'utf16le', group: 2 })).toBe(
      `00000000  ${'6800 6900'.padEnd(40)}  |h i |\n`,
    );
  });

  it('shows a UTF-16 surrogate pair as one character, laid out as UTF-8 lays out its own', () => {
    expect(hexdump(Buffer.from('61003dd800de6200', 'hex'), { encoding: 'utf16le' })).toBe(
      '00000000  61 00 3d d8 00 de 62 00                           |a 😀  b |\n',
    );
    expect(hexdump(Buffer.from('0061d83dde000062', 'hex'), { encoding: 'utf16be' })).toBe(
      '00000000  00 61 d8 3d de 00 00 62                           |a 😀  b |\n',
    );
    expect(hexdump(Buffer.from('61f09f98806200', 'hex'))).toBe(
      '00000000  61 f0 9f 98 80 62 00                              |a😀  b.|\n',
    );
    // Across a line: the character on the line where it starts, blanks on the next.
    expect(hexdump(Buffer.from('61003dd800de6200', 'hex'), { encoding: 'utf16le', columns: 3 })).toBe(
      '00000000  61 00 3d  |a 😀|\n00000003  d8 00 de  |   |\n00000006  62 00     |b |\n',
    );
  });

  it('still shows a lone surrogate, high or low, as dots', () => {
    const dump = (hex: string, encoding: string) =>
      hexdump(Buffer.from(hex, 'hex'), { encoding }).split('|')[1];
    expect(dump('61003dd86200', 'utf16le')).toBe('a ..b ');
    expect(dump('610000de6200', 'utf16le')).toBe('a ..b ');
    expect(dump('3dd83dd800de', 'utf16le')).toBe('..😀  ');
    expect(dump('61003dd8', 'utf16le')).toBe('a ..');
    expect(dump('d83d0062de00', 'utf16be')).toBe('..b ..');
  });

  it('shows GB18030 and CESU-8 characters beyond U+FFFF', () => {
    expect(hexdump(iconv.encode('a𠀀b', 'gb18030'), { encoding: 'gb18030' })).toBe(
      '00000000  61 95 32 82 36 62                                 |a𠀀  b|\n',
    );
    expect(hexdump(iconv.encode('a😀b', 'cesu8'), { encoding: 'cesu8' })).toBe(
      '00000000  61 ed a0 bd ed b8 80 62                           |a😀    b|\n',
    );
    expect(hexdump(Buffer.from('61eda0bd62', 'hex'), { encoding: 'cesu8' })).toBe(
      '00000000  61 ed a0 bd 62                                    |a...b|\n',
    );
  });

  it('ends a squeezed line by the bytes after it, not as the identical line before it ended', () => {
    // The second and third lines are the same bytes, but only the second one's f0 begins a
    // character: the third is followed by AA, so AA must show.
    expect(hexdump(Buffer.from('616161f09f9880f09f9880f04141', 'hex'), { columns: 4 })).toBe(
      '00000000  61 61 61 f0  |aaa😀|\n' +
        '00000004  9f 98 80 f0  |   😀|\n' +
        '*\n' +
        '0000000c  41 41        |AA|\n',
    );
    expect(
      hexdump(Buffer.from('3dd83dd800de3dd800de3dd82100', 'hex'), { columns: 4, encoding: 'utf16le' }),
    ).toBe(
      '00000000  3d d8 3d d8  |..😀|\n' +
        '00000004  00 de 3d d8  |  😀|\n' +
        '*\n' +
        '0000000c  21 00        |! |\n',
    );
  });

  it('shows a character that crosses a line on the line where it starts', () => {
    const data = Buffer.concat([Buffer.alloc(15, 0x41), Buffer.from('世界', 'utf8')]);
    expect(hexdump(data)).toBe(
      '00000000  41 41 41 41 41 41 41 41  41 41 41 41 41 41 41 e4  |AAAAAAAAAAAAAAA世|\n' +
        '00000010  b8 96 e7 95 8c                                    |  界 |\n',
    );
  });

  it('squeezes repeated lines into * and prints where a squeezed dump ends', () => {
    expect(hexdump(Buffer.alloc(64))).toBe(
      '00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n*\n00000040\n',
    );
    expect(hexdump(Buffer.alloc(40))).toBe(
      '00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n' +
        '*\n' +
        '00000020  00 00 00 00 00 00 00 00                           |........|\n',
    );
    expect(hexdump(Buffer.alloc(32), { squeeze: false }).split('\n').length).toBe(3);
  });

  it('takes columns, group size, uppercase, start offset, and no text column', () => {
    expect(
      hexdump(Buffer.from('abcdefgh'), { columns: 4, group: 2, uppercase: true, startOffset: 0xfff0 }),
    ).toBe('0000FFF0  6162 6364  |abcd|\n0000FFF4  6566 6768  |efgh|\n');
    expect(hexdump(Buffer.from('abcdefghij'), { encoding: false, group: 4 })).toBe(
      '00000000  61626364 65666768  696a\n',
    );
    expect(hexdump(Buffer.from('ab'), { columns: 1, encoding: false })).toBe('00000000  61\n00000001  62\n');
  });

  it('grows the offset past 32 bits, on full lines too', () => {
    const data = Buffer.from(`0123456789abcdefABCDEFGHIJKLMNOP${'世界'.repeat(8)}`);
    const high = hexdump(data, { startOffset: 2 ** 32 - 16 }).split('\n');
    const low = hexdump(data).split('\n');
    expect(high.map((l) => l.slice(0, l.indexOf(' ')))).toEqual([
      'fffffff0',
      '100000000',
      '100000010',
      '100000020',
      '100000030',
      '',
    ]);
    expect(high.map((l) => l.slice(l.indexOf(' ')))).toEqual(low.map((l) => l.slice(l.indexOf(' '))));
  });

  it('grows the offset past 32 bits', () => {
    expect(hexdump(Buffer.from('A'), { startOffset: 2 ** 32 + 16 })).toBe(
      '100000010  41                                                |A|\n',
    );
  });

  it('prints nothing for nothing', () => {
    expect(hexdump(new Uint8Array(0))).toBe('');
  });

  it('rejects a layout or encoding that makes no sense', () => {
    expect(() => hexdump(Buffer.from('a'), { columns: 0 })).toThrow('columns must be 1..256');
    expect(() => hexdump(Buffer.from('a'), { group: 32 })).toThrow('group size must be 1..16');
    expect(() => hexdump(Buffer.from('a'), { encoding: 'gbkk' })).toThrow("unknown encoding 'gbkk'");
    expect(() => hexdump(Buffer.from('a'), { encoding: 'base64' })).toThrow('not a character encoding');
  });
});

/**
 * What the text column never shows as itself: blanks, controls, marks, default-ignorable code
 * points (terminals draw them as nothing: the Hangul fillers U+115F, U+3164 and U+FFA0, the
 * zero-width space U+200B; see codec/glyphs.ts) and U+FFFD (a dot).
 */
const NOT_SHOWN = /[\s\p{C}\p{M}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\ufffd]/gu;

describe('hexdump properties', () => {
  it('matches an independent model of the UTF-8 text column and squeezing', () => {
    fc.assert(
      fc.property(mixedBytes, (data) => {
        expect(hexdump(data)).toBe(referenceDump(data));
      }),
      { numRuns: 500 },
    );
  });

  it('gives the same text under any chunking (the streaming and one-shot paths agree)', () => {
    fc.assert(
      fc.property(
        mixedBytes,
        fc.array(fc.integer({ min: 1, max: 70 }), { maxLength: 6 }),
        fc.constantFrom('utf8', 'gbk', 'latin1', 'utf16le', 'shiftjis', false as const),
        fc.constantFrom(8, 16, 5),
        (data, sizes, encoding, columns) => {
          const options = { encoding, columns };
          expect(streamed(data, sizes, options)).toBe(hexdump(data, options));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('matches an independent model of the UTF-16 text column, surrogates paired or lone', () => {
    fc.assert(
      fc.property(
        utf16Units,
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom(16, 5, 4),
        (units, be, odd, cols) => {
          const data = utf16Bytes(units, be, odd);
          const encoding = be ? 'utf16be' : 'utf16le';
          expect(hexdump(data, { encoding, columns: cols })).toBe(referenceDump(data, cols, utf16At(be)));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('squeezes repeated lines that end inside a character as the models do', () => {
    const utf8Bytes = fc
      .uint8Array({ maxLength: 8 })
      .map((b) => b.map((x) => [0x41, 0xf0, 0x9f, 0x98, 0x80, 0xe4, 0xb8, 0x20][x % 8]!));
    const unitBytes = fc.array(fc.constantFrom(0xd83d, 0xde00, 0x41), { maxLength: 4 });
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.tuple(utf8Bytes, utf8Bytes, utf8Bytes),
        fc.tuple(unitBytes, unitBytes, unitBytes),
        fc.integer({ min: 2, max: 4 }),
        fc.constantFrom(4, 5),
        (utf16, bytes, units, times, cols) => {
          if (utf16) {
            const [head, line, tail] = units.map((u) => utf16Bytes(u, false, false));
            const data = Buffer.concat([head!, ...Array(times).fill(line!.subarray(0, 4)), tail!]);
            expect(hexdump(data, { encoding: 'utf16le', columns: 4 })).toBe(
              referenceDump(data, 4, utf16At(false)),
            );
          } else {
            const [head, line, tail] = bytes;
            const data = Buffer.concat([head!, ...Array(times).fill(line!.subarray(0, cols)), tail!]);
            expect(hexdump(data, { columns: cols })).toBe(referenceDump(data, cols));
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('gives the same UTF-16 and GB18030 text under any chunking', () => {
    fc.assert(
      fc.property(
        utf16Units,
        fc.boolean(),
        fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 6 }),
        fc.constantFrom('utf16le', 'utf16be', 'gb18030', 'cesu8'),
        fc.constantFrom(16, 5),
        (units, odd, sizes, encoding, columns) => {
          const text = String.fromCharCode(...units);
          const data = encoding.startsWith('utf16')
            ? utf16Bytes(units, encoding === 'utf16be', odd)
            : iconv.encode(text, encoding);
          const options = { encoding, columns };
          expect(streamed(data, sizes, options)).toBe(hexdump(data, options));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('shows every printable character of valid text, in order, once', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => s.replace(NOT_SHOWN, '')),
        fc.constantFrom(4, 16),
        (text, columns) => {
          expect(textColumn(hexdump(Buffer.from(text, 'utf8'), { columns, squeeze: false }))).toBe(text);
        },
      ),
    );
  });

  it('shows default-ignorable code points as dots in every encoding (fast-check found U+FFA0)', () => {
    for (const encoding of ['utf8', 'utf16le', 'utf16be', 'gb18030'])
      for (const text of ['\uffa0', '\u3164', '\u115f', '\u200b'])
        expect(
          textColumn(hexdump(iconv.encode(`a${text}b`, encoding), { encoding, squeeze: false })),
        ).toMatch(/^a\.+b$/);
  });

  it('does the same for text beyond U+FFFF in UTF-16 (either byte order) and GB18030', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => s.replace(NOT_SHOWN, '')),
        fc.constantFrom('utf16le', 'utf16be', 'gb18030'),
        fc.constantFrom(4, 16),
        (text, encoding, columns) => {
          const dump = hexdump(iconv.encode(text, encoding), { encoding, columns, squeeze: false });
          expect(textColumn(dump)).toBe(text);
        },
      ),
    );
  });

  it('does the same for GBK text', () => {
    const han =
      '的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长';
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...han, 'a', 'Z', '1'), { maxLength: 40 }), (chars) => {
        const text = chars.join('');
        expect(textColumn(hexdump(iconv.encode(text, 'gbk'), { encoding: 'gbk', squeeze: false }))).toBe(
          text,
        );
      }),
    );
  });
});

describe('resume (a dump started mid-file, as the parallel dump does)', () => {
  it('continues exactly where a sequential dump would be', () => {
    fc.assert(
      fc.property(
        mixedBytes,
        fc.nat(),
        fc.constantFrom('utf8', 'latin1', false as const),
        fc.constantFrom(16, 4, 5),
        (data, cut, encoding, columns) => {
          // A line boundary with the 3 bytes after it present, as between two parallel blocks.
          const boundaries = Math.floor(Math.max(0, data.length - 3) / columns) + 1;
          const at = (cut % boundaries) * columns;
          const first = new HexDumper({ encoding, columns });
          const head = Buffer.alloc(first.outputBound(data.length));
          const ahead = data.subarray(0, Math.min(data.length, at + 3));
          const { written, consumed } = first.formatInto(ahead, false, head);
          expect(consumed).toBe(at);
          const second = new HexDumper({ encoding, columns });
          const from = Math.max(0, at - second.resumeContext);
          second.resume(data.subarray(from), at - from, at);
          const tail = Buffer.alloc(second.outputBound(data.length));
          const rest = second.formatInto(data.subarray(at), true, tail);
          const joined = head.toString('utf8', 0, written) + tail.toString('utf8', 0, rest.written);
          expect(joined).toBe(hexdump(data, { encoding, columns }));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('refuses an encoding whose characters cannot be found mid-stream', () => {
    const d = new HexDumper({ encoding: 'gbk' });
    expect(d.resumable).toBe(false);
    expect(() => d.resume(new Uint8Array(4), 4, 4)).toThrow('cannot resume');
  });
});

describe.skipIf(!hasHexdump)('against hexdump -C', () => {
  it('prints the same bytes the same way (ASCII text column)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), mixedBytes), (data) => {
        const theirs = spawnSync('hexdump', ['-C'], { input: Buffer.from(data) }).stdout.toString('latin1');
        let ours = hexdump(data, { encoding: 'ascii' });
        // hexdump -C always ends with the length; we print it only after a squeezed run.
        if (data.length && !ours.endsWith(`${data.length.toString(16).padStart(8, '0')}\n`))
          ours += `${data.length.toString(16).padStart(8, '0')}\n`;
        expect(ours).toBe(theirs);
      }),
      { numRuns: 60 },
    );
  });
});

describe('hexdumpRows', () => {
  it('gives the same hex and text as the plain dump, cell by cell', () => {
    fc.assert(
      fc.property(
        mixedBytes,
        fc.constantFrom('utf8', 'gbk', 'latin1', 'utf16le', 'gb18030'),
        (data, encoding) => {
          const plain = hexdump(data, { encoding }).split('\n').filter(Boolean);
          const rows = hexdumpRows(data, { encoding });
          expect(rows.length).toBe(plain.filter((l) => /^[0-9a-f]{8} {2}/.test(l) || l === '*').length);
          rows.forEach((row, k) => {
            const line = plain[k]!;
            if (row.kind === 'squeeze') {
              expect(line).toBe('*');
              return;
            }
            expect(line.slice(10, 10 + row.hex.length)).toBe(row.hex);
            expect(row.text.length).toBe(row.bytes.length);
            expect(line.slice(line.indexOf('|') + 1, line.lastIndexOf('|'))).toBe(
              row.text.map((c) => c.glyph).join(''),
            );
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('marks cells by kind for styling', () => {
    const [row] = hexdumpRows(Buffer.from('a世\x01', 'utf8'));
    expect(row).toMatchObject({ kind: 'data', offset: 0 });
    if (row?.kind !== 'data') throw new Error('expected a data row');
    expect(row.text.map((c) => c.kind)).toEqual(['char', 'char', 'covered', 'fill', 'dot']);
  });
});

describe('byte classes', () => {
  it('sorts bytes as hexyl does', () => {
    expect(byteClass(0)).toBe('null');
    expect(byteClass(0x41)).toBe('printable');
    expect(byteClass(0x20)).toBe('whitespace');
    expect(byteClass(0x0a)).toBe('whitespace');
    expect(byteClass(0x01)).toBe('ascii-other');
    expect(byteClass(0x7f)).toBe('ascii-other');
    expect(byteClass(0x80)).toBe('non-ascii');
    const counts = Object.fromEntries(BYTE_CLASSES.map((c) => [c, 0]));
    for (let b = 0; b < 256; b++) counts[byteClass(b)]!++;
    expect(counts).toEqual({ null: 1, printable: 94, whitespace: 6, 'ascii-other': 27, 'non-ascii': 128 });
  });
});
