import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { SESSION_COMMANDS } from '../../../src/modes/session-commands.js';
import { findCommandSpec } from '../../../src/script/commands.js';
import { parseLine, splitWords } from '../../../src/session/command-line.js';
import { parseExpectArgs } from '../../../src/session/expect.js';
import { textCodec } from '../../../src/session/text-port.js';
import { matcher, type Pattern } from '../../../src/tube/matchers.js';
import { ReceiveBuffer } from '../../../src/tube/receive-buffer.js';

const parse = (rest: string, encoding = 'latin1') => parseExpectArgs(rest, textCodec(encoding));

/** The tube pattern an /expect waits for (`frame` has none of its own). */
function patternOf(rest: string, encoding = 'latin1'): Pattern {
  const args = parse(rest, encoding);
  if ('frame' in args) throw new Error(`${rest} is a frame expect`);
  return args.pattern;
}

/** Where a pattern matches in `bytes`, as the session's /expect searches its receive buffer. */
function find(bytes: Buffer, pattern: Pattern, encoding = 'latin1') {
  const buffer = new ReceiveBuffer();
  buffer.append(bytes);
  return matcher(pattern, encoding).find(buffer);
}

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
  it('has every command of design section 3, /pcap, and /signal, /resize for programs', () => {
    const names =
      'send hex pack file expect close shutdown reset signal resize starttls opt info use all enc endian eol frame fault inspect view record pcap save clear help quit';
    for (const n of names.split(' ')) expect(findCommandSpec(SESSION_COMMANDS, n)?.name).toBe(n);
    expect(SESSION_COMMANDS).toHaveLength(names.split(' ').length);
    expect(findCommandSpec(SESSION_COMMANDS, 'exit')?.name).toBe('quit');
  });
});

describe('expect patterns', () => {
  it('parses text, quoted text, regex, hex, eof, frame and a timeout', () => {
    expect(parse('OK 5s')).toMatchObject({ pattern: 'OK', source: 'OK', timeoutMs: 5000 });
    expect(patternOf('"a b\\r\\n"')).toEqual(Buffer.from('a b\r\n'));
    expect(patternOf("'a\\n'")).toBe('a\\n');
    // Quoted, eof is text: the tube's string 'eof' would wait for the end of input.
    expect(patternOf("'eof'")).toEqual(Buffer.from('eof'));
    expect(patternOf('"eof"')).toEqual(Buffer.from('eof'));
    const re = parse('/^OK (\\d+)/i 500ms');
    expect(re).toMatchObject({ source: '/^OK (\\d+)/i', timeoutMs: 500 });
    expect(patternOf('/^OK (\\d+)/i')).toEqual(/^OK (\d+)/i);
    expect(patternOf('hex:"00 02"')).toEqual(Buffer.from([0, 2]));
    expect(parse('eof 2s')).toMatchObject({ pattern: 'eof', timeoutMs: 2000 });
    expect(parse('frame')).toMatchObject({ frame: true, source: 'frame' });
    expect(() => parse('')).toThrow(UsageError);
    expect(() => parse('/unclosed')).toThrow(/closing/);
    expect(() => parse('/(/')).toThrow('expect: bad regex: /(/: Unterminated group');
    expect(() => parse('/a/z')).toThrow("expect: bad regex flags 'z' (use d, g, i, m, s, u, v, y)");
    expect(() => parse('hex:zz')).toThrow("expect hex: bad hex at column 1: 'z'");
    expect(() => parse('""')).toThrow('expect: an empty string matches nothing');
  });

  it('takes \\xNN in double quotes as that byte, whatever the encoding', () => {
    expect(patternOf('"\\xff\\r\\n"', 'utf8')).toEqual(Buffer.from([0xff, 0x0d, 0x0a]));
    expect(patternOf('"é\\x00"', 'utf8')).toEqual(Buffer.from([0xc3, 0xa9, 0]));
    expect(patternOf('/\\d+/g')).toEqual(/\d+/);
  });

  it('finds matches and reports how much to consume', () => {
    const buf = Buffer.from('xx OK 42\nrest');
    const m = find(buf, patternOf('/OK (\\d+)/'));
    expect(m).toMatchObject({ start: 3, end: 8 });
    expect(m?.exec?.[1]).toBe('42');
    expect(find(buf, patternOf('"\\n"'))?.end).toBe(9);
    expect(find(buf, patternOf('nope'))).toBeUndefined();
  });

  it('property: a text needle planted anywhere is found and consumed through its end', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        // The string 'eof' is the end-of-input pattern, not text.
        fc.string({ minLength: 1, maxLength: 8 }).filter((s) => s !== 'eof'),
        (pre, needle) => {
          const n = Buffer.from(needle, 'latin1');
          const clean = Buffer.from(pre).filter((b) => b !== n[0]);
          const buf = Buffer.concat([Buffer.from(clean), n, Buffer.from('tail')]);
          expect(find(buf, needle)?.end).toBe(clean.length + n.length);
        },
      ),
    );
  });
});
