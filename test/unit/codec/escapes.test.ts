import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import {
  type EscapeDialect,
  EscapeError,
  escapeText,
  formatEscapes,
  parseEscapes,
  readEscape,
} from '../../../src/codec/escapes.js';
import { decodeText } from '../../../src/codec/text.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const DIALECTS: EscapeDialect[] = ['text', 'spec', 'script'];

describe('the one escape grammar', () => {
  it('means the same in every dialect: characters, and \\0 / \\xNN as raw bytes', () => {
    for (const d of DIALECTS) {
      expect(hex(parseEscapes('\\r\\n\\t\\0\\x7f\\\\\\e\\a\\b\\f\\v', d))).toBe(
        '0d0a09007f5c1b0708 0c0b'.replace(' ', ''),
      );
      expect(hex(parseEscapes('é\\u00e9\\u{1F600}', d))).toBe('c3a9c3a9f09f9880');
      // \0 is a byte, not a character: in UTF-16 it stays one byte, as \x00 does.
      expect(hex(parseEscapes('A\\0', d, 'utf16le'))).toBe('410000');
      expect(hex(parseEscapes('\\n', d, 'utf16be'))).toBe('000a');
      expect(hex(parseEscapes('中\\xff', d, 'gbk'))).toBe('d6d0ff');
    }
  });

  it('lets each dialect protect its own punctuation, and only that', () => {
    expect(parseEscapes('a\\,b\\=c\\ ', 'spec').toString()).toBe('a,b=c ');
    expect(parseEscapes('say \\"hi\\" \\$HOME', 'script').toString()).toBe('say "hi" $HOME');
    expect(parseEscapes(`\\"\\'`, 'text').toString()).toBe(`"'`);
    expect(() => parseEscapes('a\\,b', 'text')).toThrow("bad escape at column 2: unknown escape '\\,'");
    expect(() => parseEscapes('\\$', 'spec')).toThrow(/unknown escape '\\\$'/);
  });

  it('names the column and the reason of a bad escape', () => {
    expect(() => parseEscapes('ab\\q', 'text')).toThrow("bad escape at column 3: unknown escape '\\q'");
    expect(() => parseEscapes('ab\\x4g', 'text')).toThrow(
      "bad escape at column 3: '\\x4g' (\\x takes two hex digits",
    );
    expect(() => parseEscapes('ab\\', 'text')).toThrow("bad escape at column 3: lone '\\' at the end");
    expect(() => parseEscapes('\\u{110000}', 'text')).toThrow('beyond U+10FFFF');
    expect(() => parseEscapes('\\u{d800}', 'text')).toThrow('is a surrogate');
    expect(() => parseEscapes('\\u{12', 'text')).toThrow("has no closing '}'");
    expect(() => parseEscapes('\\u12', 'text')).toThrow('needs four hex digits');
    expect(() => readEscape('x\\q', 1, 'script')).toThrow(EscapeError);
  });

  it('formats bytes so they can be typed back', () => {
    expect(formatEscapes(Uint8Array.of(0x0d, 0x0a, 0x00, 0x41, 0xff, 0x2c), 'spec')).toBe(
      '\\r\\n\\0A\\xff\\,',
    );
    expect(formatEscapes(Uint8Array.of(0x20, 0x61, 0x20), 'spec')).toBe('\\ a\\ ');
    expect(formatEscapes(Uint8Array.of(0x00, 0x31), 'text')).toBe('\\x001');
    expect(formatEscapes(Buffer.from('GET /\r\n\t\\"$', 'latin1'), 'script')).toBe(
      'GET /\\r\\n\\t\\\\\\"\\$',
    );
  });

  it('property: parse(format(bytes)) = bytes, in every dialect and encoding', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.constantFrom(...DIALECTS),
        fc.constantFrom('utf8', 'latin1', 'gbk', 'utf16le', 'shift_jis'),
        (b, d, enc) => {
          expect(hex(parseEscapes(formatEscapes(b, d, enc), d, enc))).toBe(hex(b));
        },
      ),
    );
  });

  it('property: parse(escapeText(text)) = text, in every dialect', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.constantFrom(...DIALECTS), (s, d) => {
        const written = escapeText(s, d, false);
        expect(decodeText(parseEscapes(written, d, 'utf8'), 'utf8')).toBe(s);
        // Byte escapes stand for control characters where each is one byte (UTF-8 below 0x80).
        const ascii = s.replace(/[\u0080-\u009f]/g, '');
        expect(decodeText(parseEscapes(escapeText(ascii, d, true), d, 'utf8'), 'utf8')).toBe(ascii);
      }),
    );
  });

  it('refuses a character the encoding cannot carry, rather than sending ?', () => {
    expect(() => parseEscapes('price: 5€', 'text', 'latin1')).toThrow(
      "'€' (U+20AC) at column 9 cannot be encoded in latin1",
    );
    expect([...parseEscapes('a?b', 'text', 'latin1')]).toEqual([0x61, 0x3f, 0x62]);
  });

  it('matches iconv-lite on plain text', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 20 }).filter((s) => !s.includes('\\')),
        fc.constantFrom('utf8', 'utf16le', 'gb18030'),
        (s, enc) => {
          expect(parseEscapes(s, 'text', enc).equals(iconv.encode(s, enc))).toBe(true);
        },
      ),
    );
  });
});
