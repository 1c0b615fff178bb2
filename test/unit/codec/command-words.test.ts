import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { joinCommandWords, splitCommandWords } from '../../../src/codec/command-words.js';

describe('splitCommandWords (-e CMD, no shell)', () => {
  it('splits at blanks and honours the quoting people type', () => {
    expect(splitCommandWords('cat -n')).toEqual(['cat', '-n']);
    expect(splitCommandWords('  sh   -c  "echo hi; cat"  ')).toEqual(['sh', '-c', 'echo hi; cat']);
    expect(splitCommandWords(`printf '%s\\n' "a \\"b\\"" c\\ d`)).toEqual([
      'printf',
      '%s\\n',
      'a "b"',
      'c d',
    ]);
    expect(splitCommandWords("''")).toEqual(['']);
    expect(splitCommandWords('a""b')).toEqual(['ab']);
    expect(splitCommandWords('')).toEqual([]);
  });

  it('says what is unterminated', () => {
    expect(() => splitCommandWords("echo 'x")).toThrow(/unterminated '/);
    expect(() => splitCommandWords('echo "x')).toThrow(/unterminated "/);
    expect(() => splitCommandWords('echo \\')).toThrow(/lone \\/);
  });

  it('joinCommandWords is its inverse, for any words', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme' }), { maxLength: 6 }), (words) => {
        expect(splitCommandWords(joinCommandWords(words))).toEqual(words);
      }),
    );
  });

  it('never fails but with its own message, whatever it is given (fuzz)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        try {
          const words = splitCommandWords(text);
          expect(Array.isArray(words)).toBe(true);
        } catch (err) {
          expect((err as Error).message).toMatch(/^(unterminated ['"]|a lone \\ ends)/);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
