import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { parseLine, splitWords } from '../../../src/session/command-line.js';
import { COMMANDS, findCommand } from '../../../src/session/command-table.js';
import { findMatch, parseExpectArgs } from '../../../src/session/expect.js';

const parsers = {
  unescapeText: (t: string) => t.replace(/\\r/g, '\r').replace(/\\n/g, '\n'),
  hex: (t: string) => Buffer.from(t.replace(/\s/g, ''), 'hex'),
};
const latin1 = {
  decode: (b: Buffer) => b.toString('latin1'),
  encode: (t: string) => Buffer.from(t, 'latin1'),
};

describe('parseLine', () => {
  it('tells text from commands', () => {
    expect(parseLine('hello world')).toEqual({ kind: 'text', text: 'hello world' });
    expect(parseLine('')).toEqual({ kind: 'empty' });
    expect(parseLine('/send  a b ')).toEqual({ kind: 'command', name: 'send', rest: ' a b ' });
    expect(parseLine('/QUIT')).toEqual({ kind: 'command', name: 'quit', rest: '' });
    expect(parseLine('//etc/passwd')).toEqual({ kind: 'text', text: '/etc/passwd' });
    expect(() => parseLine('/ x')).toThrow(UsageError);
  });

  it('property: a line without a leading slash is sent exactly as typed', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((s) => !s.startsWith('/') && !/\r?\n$/.test(s)),
        (s) => {
          expect(parseLine(s)).toEqual({ kind: 'text', text: s });
        },
      ),
    );
  });
});

describe('splitWords', () => {
  it('splits on spaces and groups quotes', () => {
    expect(splitWords(`>HI 1 "a b" 'c d'`)).toEqual(['>HI', '1', 'a b', 'c d']);
    expect(splitWords('  ')).toEqual([]);
    expect(splitWords('"a\\"b"')).toEqual(['a\\"b']);
    expect(() => splitWords('"open')).toThrow(/unclosed/);
  });
});

describe('command table', () => {
  it('has every command of design section 3', () => {
    const names =
      'send hex pack file expect close shutdown reset opt info use all enc endian eol frame fault inspect view record save clear help quit';
    for (const n of names.split(' ')) expect(findCommand(n)?.name).toBe(n);
    expect(COMMANDS).toHaveLength(names.split(' ').length);
    expect(findCommand('exit')?.name).toBe('quit');
  });
});

describe('expect patterns', () => {
  it('parses text, quoted text, regex, hex, eof, frame and a timeout', () => {
    expect(parseExpectArgs('OK 5s', parsers)).toMatchObject({
      pattern: { kind: 'text', text: 'OK' },
      timeoutMs: 5000,
    });
    expect(parseExpectArgs('"a b\\r\\n"', parsers)).toMatchObject({
      pattern: { kind: 'text', text: 'a b\r\n' },
    });
    expect(parseExpectArgs('/^OK (\\d+)/i 500ms', parsers)).toMatchObject({
      pattern: { kind: 'regex' },
      timeoutMs: 500,
    });
    const hex = parseExpectArgs('hex:"00 02"', parsers).pattern;
    expect(hex.kind === 'bytes' && hex.bytes).toEqual(Buffer.from([0, 2]));
    expect(parseExpectArgs('eof 2s', parsers).pattern.kind).toBe('eof');
    expect(parseExpectArgs('frame', parsers).pattern.kind).toBe('frame');
    expect(() => parseExpectArgs('', parsers)).toThrow(UsageError);
    expect(() => parseExpectArgs('/unclosed', parsers)).toThrow(/closing/);
    expect(() => parseExpectArgs('/(/', parsers)).toThrow(/bad regex/);
  });

  it('finds matches and reports how much to consume', () => {
    const buf = Buffer.from('xx OK 42\nrest');
    const re = parseExpectArgs('/OK (\\d+)/', parsers).pattern;
    expect(findMatch(buf, re, latin1)).toMatchObject({ end: 8, groups: ['42'] });
    const text = parseExpectArgs('"\\n"', parsers).pattern;
    expect(findMatch(buf, text, latin1)?.end).toBe(9);
    expect(findMatch(buf, parseExpectArgs('nope', parsers).pattern, latin1)).toBeUndefined();
  });

  it('property: a text needle planted anywhere is found and consumed through its end', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.string({ minLength: 1, maxLength: 8 }),
        (pre, needle) => {
          const n = Buffer.from(needle, 'latin1');
          const clean = Buffer.from(pre).filter((b) => b !== n[0]);
          const buf = Buffer.concat([Buffer.from(clean), n, Buffer.from('tail')]);
          const m = findMatch(
            buf,
            { kind: 'text', text: needle, source: needle },
            {
              decode: (b) => b.toString('latin1'),
              encode: (t) => Buffer.from(t, 'latin1'),
            },
          );
          expect(m?.end).toBe(clean.length + n.length);
        },
      ),
    );
  });
});
