import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { escapeBytes, formatHex, parseEscapedText, parseHex } from '../../../src/codec/input.js';
import { UsageError } from '../../../src/errors.js';

const DEADBEEF = [0xde, 0xad, 0xbe, 0xef];

describe('parseHex', () => {
  it.each([
    'de ad be ef',
    'deadbeef',
    'DEADBEEF',
    '0xde 0xad 0xbe 0xef',
    '0xdeadbeef',
    '0XDE,0XAD,0XBE,0XEF',
    '\\xde\\xad\\xbe\\xef',
    'de:ad:be:ef',
    'de-ad-be-ef',
    '  de\tad\nbe  ef  ',
    'dead beef',
  ])('reads %j', (text) => {
    expect([...parseHex(text)]).toEqual(DEADBEEF);
  });

  it('reads a prefixed single digit as one byte', () => {
    expect([...parseHex('0x1 0x2 0xff')]).toEqual([1, 2, 255]);
    expect([...parseHex('\\x7')]).toEqual([7]);
  });

  it('reads nothing from nothing', () => {
    expect(parseHex('').length).toBe(0);
    expect(parseHex('  : ').length).toBe(0);
  });

  it('points at the offending character', () => {
    expect(() => parseHex('de ad gx')).toThrow("bad hex at column 7: 'g'");
    expect(() => parseHex('deadbeeg')).toThrow("bad hex at column 8: 'g'");
    expect(() => parseHex('0xzz')).toThrow("bad hex at column 3 after '0x': 'z'");
    expect(() => parseHex('de\u0001')).toThrow("bad hex at column 3: '\\x01'");
  });

  it('counts columns in characters, not UTF-16 units', () => {
    expect(() => parseHex('😀 zz')).toThrow("bad hex at column 1: '😀'");
    expect(() => parseHex('de 😀')).toThrow("bad hex at column 4: '😀'");
  });

  it('rejects half bytes', () => {
    expect(() => parseHex('dea')).toThrow(/odd number of hex digits at column 1: 'dea'/);
    expect(() => parseHex('de a')).toThrow(/odd number of hex digits at column 4: 'a'/);
  });

  it('says when a prefix has no digits', () => {
    expect(() => parseHex('de 0x')).toThrow("expected hex digits after '0x' at the end");
    expect(() => parseHex('\\x')).toThrow("expected hex digits after '\\x' at the end");
  });

  it('throws UsageError (exit 2)', () => {
    expect(() => parseHex('zz')).toThrow(UsageError);
  });

  it('round-trips with formatHex in every separator style', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.constantFrom('', ' ', ':', '-', ','), (bytes, sep) => {
        const text = formatHex(bytes, sep);
        expect(Buffer.from(parseHex(text)).equals(Buffer.from(bytes))).toBe(true);
        expect(parseHex(text.toUpperCase()).equals(Buffer.from(bytes))).toBe(true);
      }),
    );
  });

  it('round-trips the 0x and \\x spellings', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 32 }), (bytes) => {
        const ox = [...bytes].map((b) => `0x${b.toString(16)}`).join(' ');
        const bx = [...bytes].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
        expect([...parseHex(ox)]).toEqual([...bytes]);
        expect([...parseHex(bx)]).toEqual([...bytes]);
      }),
    );
  });
});

describe('formatHex', () => {
  it('is lowercase, optionally separated', () => {
    expect(formatHex(Uint8Array.from(DEADBEEF))).toBe('deadbeef');
    expect(formatHex(Uint8Array.from(DEADBEEF), ' ')).toBe('de ad be ef');
    expect(formatHex(new Uint8Array(0), ' ')).toBe('');
  });

  it('respects subarray views', () => {
    const view = Uint8Array.from([1, 2, 3, 4]).subarray(1, 3);
    expect(formatHex(view)).toBe('0203');
  });
});

describe('parseEscapedText', () => {
  it('turns escapes into characters', () => {
    expect(parseEscapedText('a\\r\\n\\t\\0\\\\b').toString('latin1')).toBe('a\r\n\t\0\\b');
    expect(parseEscapedText('\\e[0m\\a\\b\\f\\v').toString('latin1')).toBe('\x1b[0m\x07\b\f\v');
    expect(parseEscapedText('say \\"hi\\" \\\'x\\\'').toString()).toBe('say "hi" \'x\'');
  });

  it('keeps \\xNN a raw byte whatever the encoding', () => {
    expect([...parseEscapedText('\\xff\\x00A')]).toEqual([0xff, 0x00, 0x41]);
    expect([...parseEscapedText('é\\xe9', 'utf8')]).toEqual([0xc3, 0xa9, 0xe9]);
    expect([...parseEscapedText('A\\x00', 'utf16le')]).toEqual([0x41, 0x00, 0x00]);
  });

  it('encodes characters, escapes included, in the encoding', () => {
    expect([...parseEscapedText('中\\n', 'gbk')]).toEqual([0xd6, 0xd0, 0x0a]);
    expect([...parseEscapedText('\\u{4e2d}', 'gbk')]).toEqual([0xd6, 0xd0]);
    expect([...parseEscapedText('\\u00e9\\u{1F600}', 'utf8')]).toEqual([0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80]);
    expect([...parseEscapedText('a\\r\\n', 'utf16be')]).toEqual([0, 0x61, 0, 0x0d, 0, 0x0a]);
  });

  it('points at bad escapes', () => {
    expect(() => parseEscapedText('ab\\q')).toThrow("unknown escape at column 3: '\\q'");
    expect(() => parseEscapedText('ab\\x4g')).toThrow(
      "bad escape at column 3: '\\x4g' (\\x takes two hex digits",
    );
    expect(() => parseEscapedText('ab\\')).toThrow("lone '\\' at column 3");
    expect(() => parseEscapedText('\\u{110000}')).toThrow('beyond U+10FFFF');
    expect(() => parseEscapedText('\\u{d800}')).toThrow('is a surrogate');
    expect(() => parseEscapedText('\\u{12')).toThrow("has no closing '}'");
    expect(() => parseEscapedText('\\u12')).toThrow('needs four hex digits');
  });

  it('refuses a character the encoding cannot carry, rather than sending ?', () => {
    expect(() => parseEscapedText('price: 5€', 'latin1')).toThrow(
      "'€' (U+20AC) at column 9 cannot be encoded in latin1",
    );
    expect([...parseEscapedText('a?b', 'latin1')]).toEqual([0x61, 0x3f, 0x62]);
  });

  it('matches iconv-lite on plain text', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 20 }).filter((s) => !s.includes('\\')),
        fc.constantFrom('utf8', 'utf16le', 'gb18030'),
        (s, enc) => {
          expect(parseEscapedText(s, enc).equals(iconv.encode(s, enc))).toBe(true);
        },
      ),
    );
  });
});

describe('escapeBytes', () => {
  it('shows bytes the way they are typed', () => {
    expect(escapeBytes(Buffer.from('GET /\r\n\t\\\x00\x7f\xff', 'latin1'))).toBe(
      'GET /\\r\\n\\t\\\\\\0\\x7f\\xff',
    );
    expect(escapeBytes(Uint8Array.from([0, 0x31]))).toBe('\\x001');
  });

  it('round-trips through parseEscapedText for any bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.constantFrom('utf8', 'latin1', 'gbk'),
        (bytes, enc) => {
          expect([...parseEscapedText(escapeBytes(bytes), enc)]).toEqual([...bytes]);
        },
      ),
    );
  });
});
