import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import {
  baseEncoding,
  createStreamDecoder,
  decodeText,
  encodeText,
  listEncodings,
  nearEncodings,
  resolveEncoding,
} from '../../../src/codec/text.js';
import { UsageError } from '../../../src/errors.js';

const SAMPLE = 'Hello, 世界! 中文測試 日本語テキスト 한국어 ¥€ é';

/** Encodings whose characters span several bytes, with text each one can carry. */
const MULTIBYTE: [string, string][] = [
  ['utf8', SAMPLE],
  ['gbk', 'GBK 中文文本, 测试一下'],
  ['gb18030', 'GB18030 中文 € 😀 测试'],
  ['big5', 'Big5 中文測試 繁體'],
  ['shiftjis', 'Shift_JIS 日本語テキスト ｶﾀｶﾅ'],
  ['euc-jp', 'EUC-JP 日本語'],
  ['euc-kr', 'EUC-KR 한국어 텍스트'],
  ['utf16le', SAMPLE],
  ['utf16be', SAMPLE],
  ['utf-32le', SAMPLE],
];

/** Splits bytes at the given cut points. */
function chunk(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let at = 0;
  for (const p of points) {
    parts.push(bytes.subarray(at, p));
    at = p;
  }
  parts.push(bytes.subarray(at));
  return parts;
}

describe('resolveEncoding', () => {
  it('accepts every spelling iconv-lite accepts', () => {
    for (const name of [
      'utf8',
      'UTF-8',
      'gbk',
      'GB18030',
      'Shift_JIS',
      'big5',
      'latin1',
      'cp1252',
      'UTF-16LE',
    ])
      expect(resolveEncoding(name)).toBe(name);
  });

  it('rejects an unknown name with the nearest known ones', () => {
    expect(() => resolveEncoding('gbkk')).toThrow("unknown encoding 'gbkk' (did you mean gbk");
    expect(() => resolveEncoding('shift-jsi')).toThrow(/did you mean .*shiftjis/);
    expect(() => resolveEncoding('utf-9')).toThrow(/did you mean .*utf8/);
    expect(() => resolveEncoding('klingon')).toThrow(UsageError);
    expect(() => resolveEncoding('')).toThrow(/unknown encoding ''/);
  });

  it('refuses hex and base64, in any spelling: they spell bytes as digits, not characters', () => {
    for (const name of ['hex', 'HEX', 'base64', 'Base-64', 'BASE64'])
      expect(() => resolveEncoding(name), name).toThrow(
        new UsageError(`${name} is not a character encoding; pick one for text (utf8, latin1, gbk...)`),
      );
    // Everything that takes an encoding from a user goes through it.
    expect(() => encodeText('abc', 'hex')).toThrow(/^hex is not a character encoding/);
    expect(() => decodeText(Buffer.from([0xab]), 'base64')).toThrow(/^base64 is not a character encoding/);
    expect(() => createStreamDecoder('hex')).toThrow(/^hex is not a character encoding/);
    expect(listEncodings()).not.toContain('hex');
    expect(listEncodings()).not.toContain('base64');
    expect(nearEncodings('hexx')).not.toContain('hex');
  });

  it('refuses exactly the codecs iconv-lite lists that encode a letter as no bytes', () => {
    // A character encoding encodes 'z' as some bytes; a digit codec (hex, base64) drops it. Should
    // iconv-lite add another such codec, this names it.
    iconv.encodingExists('utf8');
    const names = Object.keys(iconv.encodings as Record<string, unknown>).filter((k) => !k.startsWith('_'));
    const digitCodecs = names.filter((k) => iconv.encode('z', k).length === 0);
    expect(digitCodecs.sort()).toEqual(['base64', 'hex']);
    const refused = names.filter((k) => {
      try {
        resolveEncoding(k);
        return false;
      } catch {
        return true;
      }
    });
    expect(refused.sort()).toEqual(digitCodecs);
  });

  it('lists near matches best first', () => {
    expect(nearEncodings('latin-1')[0]).toBe('latin1');
    expect(nearEncodings('big-5')[0]).toBe('big5');
    // Two letters swapped are one slip, as in every other "did you mean".
    expect(nearEncodings('utf61')[0]).toBe('utf16');
    expect(nearEncodings('zzzzzzzzzzzz')).toEqual([]);
  });

  it('lists every encoding, without internal entries', () => {
    const all = listEncodings();
    expect(all).toContain('gbk');
    expect(all).toContain('shiftjis');
    expect(all.some((e) => e.startsWith('_'))).toBe(false);
    expect(all.length).toBeGreaterThan(100);
  });

  it('follows aliases to the codec', () => {
    expect(baseEncoding('UTF-8')).toBe('utf8');
    expect(baseEncoding('latin1')).toBe('iso88591');
    expect(baseEncoding('euc-kr')).toBe('cp949');
  });
});

describe('decodeText / encodeText', () => {
  it.each(MULTIBYTE)('round-trips %s', (enc, text) => {
    expect(decodeText(encodeText(text, enc), enc)).toBe(text);
  });

  it('decodes invalid bytes as U+FFFD', () => {
    expect(decodeText(Uint8Array.from([0x41, 0xff, 0x42]), 'utf8')).toBe('A\ufffdB');
  });

  it('names the first character an encoding lacks', () => {
    expect(() => encodeText('ok 中', 'latin1')).toThrow(
      "'中' (U+4E2D) at column 4 cannot be encoded in latin1",
    );
    expect(() => encodeText('日本 한', 'shiftjis')).toThrow(
      "'한' (U+D55C) at column 4 cannot be encoded in shiftjis",
    );
    expect([...encodeText('what?', 'ascii')]).toEqual([...Buffer.from('what?')]);
  });
});

describe('createStreamDecoder', () => {
  it('shows a character split across chunks once, whole, with the chunk that completes it', () => {
    const d = createStreamDecoder('gbk');
    expect(d.write(Uint8Array.from([0x41, 0xd6]))).toBe('A');
    expect(d.write(Uint8Array.from([0xd0]))).toBe('中');
    expect(d.end()).toBe('');
    const u = createStreamDecoder('utf8');
    expect(u.write(Uint8Array.from([0xe4, 0xb8]))).toBe('');
    expect(u.write(Uint8Array.from([0x96, 0x21]))).toBe('世!');
  });

  it('keeps what iconv-lite alone would lose after a split sequence', () => {
    // iconv-lite's stateful decoder sizes its output by the new chunk alone: a GB18030
    // four-byte character split 3+1, or a Big5 lead byte followed by an invalid trail in the
    // next chunk, used to lose characters.
    const emoji = iconv.encode('😀', 'gb18030');
    const g = createStreamDecoder('gb18030');
    expect(g.write(emoji.subarray(0, 3))).toBe('');
    expect(g.write(emoji.subarray(3))).toBe('😀');
    const b = createStreamDecoder('big5');
    expect(b.write(Uint8Array.from([0x87])) + b.write(Uint8Array.from([0x00, 0x41, 0x42])) + b.end()).toBe(
      '\ufffd\0AB',
    );
  });

  it('waits as long as the whole-input decoder would, after a run of invalid lead bytes', () => {
    // bf 99 8d are each an invalid lead; 94 7c is one Big5-HKSCS character.
    const bytes = Buffer.from('01b4b1bf998d947c', 'hex');
    const d = createStreamDecoder('big5');
    expect(d.write(bytes.subarray(0, 7)) + d.write(bytes.subarray(7)) + d.end()).toBe(
      decodeText(bytes, 'big5'),
    );
    expect(decodeText(bytes, 'big5').endsWith('𤦫')).toBe(true);
  });

  it('ends an unfinished character as U+FFFD', () => {
    const d = createStreamDecoder('utf8');
    expect(d.write(Uint8Array.from([0xe4, 0xb8]))).toBe('');
    expect(d.end()).toBe('\ufffd');
  });

  it('equals whole decoding under any chunking, for every multi-byte encoding', () => {
    for (const [enc, text] of MULTIBYTE) {
      const bytes = iconv.encode(text, enc);
      const whole = decodeText(bytes, enc);
      fc.assert(
        fc.property(fc.array(fc.nat(), { maxLength: 12 }), (cuts) => {
          const d = createStreamDecoder(enc);
          const streamed = chunk(bytes, cuts)
            .map((c) => d.write(c))
            .join('');
          expect(streamed + d.end()).toBe(whole);
        }),
        { numRuns: 60 },
      );
    }
  });

  it('equals whole decoding of arbitrary bytes (invalid ones included) under any chunking', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(
          'utf8',
          'gbk',
          'gb18030',
          'big5',
          'shiftjis',
          'euc-jp',
          'euc-kr',
          'utf16le',
          'utf16be',
          'utf32le',
          'latin1',
        ),
        fc.oneof(
          fc.uint8Array({ maxLength: 48 }),
          // Mostly lead bytes: runs of invalid sequences, where a decoder's choices wait longest.
          fc.uint8Array({ maxLength: 48 }).map((a) => a.map((b) => b | 0x80)),
        ),
        fc.array(fc.nat(), { maxLength: 8 }),
        (enc, raw, cuts) => {
          const bytes = Buffer.from(raw);
          const d = createStreamDecoder(enc);
          const streamed = chunk(bytes, cuts)
            .map((c) => d.write(c))
            .join('');
          expect(streamed + d.end()).toBe(decodeText(bytes, enc));
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('which decoder reads each encoding', () => {
  const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, b) => b));
  const singleByte = listEncodings().filter((e) => 'decodeBuf' in iconv.getCodec(e));

  it('reads every byte of every single-byte encoding as iconv-lite does, whole and a byte at a time', () => {
    // Node 20's TextDecoder reads windows-1252 0x80-0x9f as C1 controls (and otherwise when
    // streaming): sockrepl must not take it there, and takes it only where it agrees.
    expect(decodeText(Buffer.from([0x80, 0x93, 0x99]), 'windows-1252')).toBe('€“™');
    expect(decodeText(Buffer.from([0x80]), 'latin1')).toBe('\u0080');
    for (const enc of singleByte) {
      const want = iconv.decode(ALL_BYTES, enc);
      expect({ enc, text: decodeText(ALL_BYTES, enc) }).toEqual({ enc, text: want });
      const d = createStreamDecoder(enc);
      let streamed = '';
      for (let b = 0; b < 256; b++) streamed += d.write(ALL_BYTES.subarray(b, b + 1));
      expect({ enc, text: streamed + d.end() }).toEqual({ enc, text: want });
    }
  });

  it('never throws on garbage that breaks Node 20’s GB18030 and EUC-JP stream decoders', () => {
    // Each of these, streamed a few bytes at a time, makes TextDecoder throw on Node 20.
    const hostile: [string, string][] = [
      ['gb18030', 'adc7bcd2bcc6e2a5f13509d3deccce'],
      ['euc-jp', 'fdb9410d5f6ea1fb8fd484'],
    ];
    for (const [enc, hex] of hostile) {
      const bytes = Buffer.from(hex, 'hex');
      for (let size = 1; size <= 4; size++) {
        const d = createStreamDecoder(enc);
        let s = '';
        for (let at = 0; at < bytes.length; at += size) s += d.write(bytes.subarray(at, at + size));
        expect(s + d.end()).toBe(decodeText(bytes, enc));
      }
    }
  });

  it('gives the whole text under any split of random text in each multi-byte encoding', () => {
    // The characters each encoding can carry: two-byte sequences that decode to one character
    // and encode back to themselves (a sample of them), and ASCII.
    const repertoire = (enc: string): string[] => {
      const chars: string[] = [];
      for (let v = 0x8140; v < 0xfefe && chars.length < 400; v += 97) {
        const b = Buffer.from([v >> 8, v & 255]);
        const ch = iconv.decode(b, enc);
        if (ch.length === 1 && ch !== '\ufffd' && iconv.encode(ch, enc).equals(b)) chars.push(ch);
      }
      return [...chars, 'a', 'Z', '0', ' ', '\n'];
    };
    for (const enc of ['gbk', 'gb18030', 'big5', 'shiftjis', 'euc-jp', 'euc-kr']) {
      const chars = repertoire(enc);
      fc.assert(
        fc.property(
          fc.array(fc.constantFrom(...chars), { maxLength: 40 }),
          fc.array(fc.nat(), { maxLength: 10 }),
          (picked, cuts) => {
            const text = picked.join('');
            const bytes = iconv.encode(text, enc);
            const d = createStreamDecoder(enc);
            const streamed = chunk(bytes, cuts)
              .map((c) => d.write(c))
              .join('');
            expect(streamed + d.end()).toBe(text);
          },
        ),
        { numRuns: 150 },
      );
    }
  });
});
