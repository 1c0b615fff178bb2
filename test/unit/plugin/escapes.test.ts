import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatEscapedBytes, parseEscapedBytes } from '../../../src/plugin/escapes.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('escaped bytes', () => {
  it('reads C-style escapes and UTF-8 text', () => {
    expect(hex(parseEscapedBytes('\\r\\n\\t\\0\\x7f\\\\\\,\\e'))).toBe('0d0a09007f5c2c1b');
    expect(hex(parseEscapedBytes('a\\x00b'))).toBe('610062');
    expect(hex(parseEscapedBytes('é'))).toBe('c3a9');
    expect(hex(parseEscapedBytes(''))).toBe('');
  });

  it('rejects bad escapes with one line', () => {
    expect(() => parseEscapedBytes('\\q', 'delim')).toThrow("delim: unknown escape '\\q' in '\\q'");
    expect(() => parseEscapedBytes('ab\\', 'delim')).toThrow("delim: 'ab\\' ends with a lone backslash");
    expect(() => parseEscapedBytes('\\xZZ', 'delim')).toThrow('needs two hex digits');
  });

  it('formats bytes so they can be typed back', () => {
    expect(formatEscapedBytes(Uint8Array.of(0x0d, 0x0a, 0x00, 0x41, 0xff, 0x2c))).toBe('\\r\\n\\0A\\xff\\,');
    expect(formatEscapedBytes(Uint8Array.of(0x20, 0x61, 0x20))).toBe(' a\\x20');
  });

  it('property: parse(format(b)) = b for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        expect(hex(parseEscapedBytes(formatEscapedBytes(b)))).toBe(hex(b));
      }),
    );
  });
});
