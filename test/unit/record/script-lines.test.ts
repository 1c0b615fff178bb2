import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeText } from '../../../src/codec/text.js';
import { optionWords } from '../../../src/options/option-words.js';
import { expectLines, isPlainText, sendLine } from '../../../src/record/script-lines.js';
import type { CommandStatement, ExpectStatement } from '../../../src/script/ast.js';
import { parseHexBytes } from '../../../src/script/hex-literal.js';
import { parseScriptOrThrow } from '../../../src/script/parse.js';
import { resolvePattern } from '../../../src/script/resolve.js';
import { Variables } from '../../../src/script/variables.js';

const vars = () => new Variables({ file: 'rec.srs' });

/** The bytes a recorded send line sends when the runner runs it. */
function sentBy(line: string, encoding: string): Uint8Array {
  const s = parseScriptOrThrow(line, { file: 'rec.srs' }).statements[0] as CommandStatement;
  if (s.name === 'hex') return parseHexBytes(vars().expand(s.args[0]!.value));
  expect(s.name).toBe('send');
  expect(s.args).toHaveLength(1);
  return vars().expandBytes(s.args[0]!.value, (t) => encodeText(t, encoding));
}

/** The bytes a run of recorded expect lines matches, one after the other. */
function matchedBy(lines: string[], encoding: string): Buffer {
  const script = parseScriptOrThrow(lines.join('\n'), { file: 'rec.srs' });
  return Buffer.concat(
    script.statements.map((s) => {
      const p = resolvePattern((s as ExpectStatement).pattern, vars(), encoding);
      if (typeof p === 'string') return encodeText(p, encoding);
      if (p instanceof Uint8Array) return p;
      throw new Error(`unexpected pattern ${String(p)}`);
    }),
  );
}

const ENCODINGS = ['utf8', 'gbk', 'latin1', 'shift_jis'];

describe('recorded lines', () => {
  it('sends text as a string and anything else as hex', () => {
    expect(sendLine(Buffer.from('LOGIN alice\r\n'), 'utf8')).toBe('send "LOGIN alice\\r\\n"');
    expect(sendLine(Buffer.from('price $5 "x"'), 'utf8')).toBe('send "price \\$5 \\"x\\""');
    expect(sendLine(Uint8Array.of(0, 2, 0xff, 0xfe), 'utf8')).toBe('hex "00 02 ff fe"');
    expect(sendLine(encodeText('你好\n', 'gbk'), 'gbk')).toBe('send "你好\\n"');
  });

  it('a C1 control (U+0080) is written as a character, not as a raw byte (found by the property below)', () => {
    const c1 = Uint8Array.of(0x61, 0xc2, 0x80);
    expect(sendLine(c1, 'utf8')).toBe('send "a\\u{80}"');
    expect(Buffer.from(sentBy(sendLine(c1, 'utf8'), 'utf8'))).toEqual(Buffer.from(c1));
    const latin1 = Uint8Array.of(0x61, 0x80);
    expect(Buffer.from(sentBy(sendLine(latin1, 'latin1'), 'latin1'))).toEqual(Buffer.from(latin1));
  });

  it('cuts received text at line ends and binary into hex pieces', () => {
    expect(expectLines(Buffer.from('220 ready\r\n250 ok\r\n'), 'utf8')).toEqual([
      'expect "220 ready\\r\\n"',
      'expect "250 ok\\r\\n"',
    ]);
    expect(expectLines(Uint8Array.of(0, 1, 2, 0xff), 'utf8')).toEqual(['expect hex:"00 01 02 ff"']);
    expect(expectLines(Buffer.concat([Buffer.from([0, 5, 0x0a]), Buffer.from('hello\n')]), 'utf8')).toEqual([
      'expect hex:"00 05 0a"',
      'expect "hello\\n"',
    ]);
    expect(expectLines(Buffer.alloc(70, 0xee), 'latin1')).toHaveLength(1);
    expect(expectLines(Buffer.alloc(70, 0x80), 'utf8')).toHaveLength(3);
  });

  it('adds a timeout when asked (a slow reply)', () => {
    expect(expectLines(Buffer.from('OK\n'), 'utf8', 12_000)).toEqual(['expect "OK\\n" 12s']);
  });

  it('writes connect options as script words the parser accepts', () => {
    const words = optionWords(
      {
        udp: false,
        family: 6,
        sourcePort: 40000,
        socket: { nodelay: true, linger: 0, keepalive: true, keepaliveIdle: 30, rcvbuf: 65536 },
        idleTimeoutMs: 5000,
      },
      'connect',
    );
    expect(words).toEqual([
      'ipv6',
      'source-port=40000',
      'idle-timeout=5s',
      'nodelay',
      'keepalive=30',
      'linger=0',
      'rcvbuf=65536',
    ]);
    expect(() => parseScriptOrThrow(`connect ::1 80 ${words.join(' ')}`)).not.toThrow();
  });

  it.each(ENCODINGS)('property: a send line sends exactly the recorded bytes (%s)', (encoding) => {
    fc.assert(
      fc.property(bytesOrText(encoding), (bytes) => {
        if (bytes.length === 0) return;
        expect(Buffer.from(sentBy(sendLine(bytes, encoding), encoding))).toEqual(Buffer.from(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it.each(ENCODINGS)('property: expect lines match exactly the received bytes, in order (%s)', (encoding) => {
    fc.assert(
      fc.property(bytesOrText(encoding), (bytes) => {
        if (bytes.length === 0) return;
        expect(matchedBy(expectLines(bytes, encoding), encoding)).toEqual(Buffer.from(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it('property: text pieces are plain text, so a person can read them', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (text) => {
        const bytes = Buffer.from(text);
        for (const line of expectLines(bytes, 'utf8')) {
          if (line.startsWith('expect "')) expect(line).not.toMatch(/\\x0[0-8]/);
        }
        if (text !== '' && !/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]/.test(text))
          expect(isPlainText(bytes, 'utf8')).toBe(true);
      }),
    );
  });
});

/** Random bytes, or text in the encoding with lines and stray control bytes mixed in. */
function bytesOrText(encoding: string): fc.Arbitrary<Uint8Array> {
  const text = fc
    .array(
      fc.oneof(
        fc.string({ maxLength: 20 }),
        fc.constantFrom('\r\n', '\n', '\t', '$', '"', '\\', '你好', 'ｱ', 'é'),
        fc.constantFrom('\x00', '\x01', '\x7f'),
      ),
      { maxLength: 30 },
    )
    .map((parts) => Buffer.concat([...parts.join('')].map((ch) => encodable(ch, encoding))));
  return fc.oneof(fc.uint8Array({ maxLength: 200 }), text);
}

/** The character's bytes, or nothing when the encoding has no such character. */
function encodable(ch: string, encoding: string): Buffer {
  try {
    return encodeText(ch, encoding);
  } catch {
    return Buffer.alloc(0);
  }
}
