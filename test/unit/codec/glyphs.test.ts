import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { GlyphDecoder, glyphWidth } from '../../../src/codec/glyphs.js';
import { hexdump } from '../../../src/codec/hexdump.js';

/**
 * The text column's widths are ink's: a glyph it shows takes the cells string-width (ink's
 * layout) says it takes, and anything string-width gives no width is shown as dots, never drawn.
 */

describe('glyph widths', () => {
  it('agree with string-width on every code point of the BMP and planes 1 and 2', () => {
    const wrong: string[] = [];
    for (let cp = 0; cp < 0x30000; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const ours = glyphWidth(cp);
      const theirs = stringWidth(String.fromCodePoint(cp));
      // Shown: the same width. Not shown (dots): fine for anything, and required for width 0.
      if ((ours > 0 && ours !== theirs) || (theirs === 0 && ours !== 0))
        wrong.push(`U+${cp.toString(16).toUpperCase()}: ours ${ours}, string-width ${theirs}`);
    }
    expect(wrong.slice(0, 20)).toEqual([]);
  });

  it('draws wide symbols two columns wide, as ink measures them', () => {
    expect(glyphWidth(0x2630)).toBe(2); // ☰ trigram, wide since Unicode 16
    expect(glyphWidth(0x4e16)).toBe(2);
    expect(glyphWidth(0x1f600)).toBe(2);
    expect(glyphWidth(0x41)).toBe(1);
    expect(glyphWidth(0xe9)).toBe(1);
    expect(hexdump(Buffer.from('a☰b'))).toBe(
      '00000000  61 e2 98 b0 62                                    |a☰ b|\n',
    );
  });

  it('shows controls, marks, separators and zero-width characters as dots', () => {
    for (const cp of [
      0x00, 0x1b, 0x7f, 0x85, 0xad, 0x0301, 0x115f, 0x200b, 0x200d, 0x2028, 0xfeff, 0xe000, 0xfffd,
    ])
      expect({ cp, w: glyphWidth(cp) }).toEqual({ cp, w: 0 });
    // U+200B ZERO WIDTH SPACE: three bytes, three dots, so the column keeps its width.
    expect(hexdump(Buffer.from('a\u200bb'))).toBe(
      '00000000  61 e2 80 8b 62                                    |a...b|\n',
    );
  });

  it('gives a decoder the same widths', () => {
    const g = new GlyphDecoder('utf8');
    const bytes = Buffer.from('☰');
    expect(g.decodeAt(bytes, 0, bytes.length)).toBe(3);
    expect(g.width).toBe(2);
  });
});
