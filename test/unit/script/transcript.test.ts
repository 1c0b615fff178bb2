// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is the script language's own variable syntax.
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import type { CommandStatement } from '../../../src/script/ast.js';
import { parseScriptOrThrow } from '../../../src/script/parse.js';
import {
  describeData,
  failureEvent,
  formatCaptures,
  formatElapsed,
  formatExpectFailure,
  formatStep,
  hexDumpLines,
  stepEvent,
} from '../../../src/script/transcript.js';
import { Variables } from '../../../src/script/variables.js';

describe('formatStep', () => {
  it('shows a send as text, with step number, time and line', () => {
    expect(
      formatStep({
        step: 2,
        elapsedMs: 2.4,
        line: 3,
        command: 'send "LOGIN alice\\r\\n"',
        sent: Buffer.from('LOGIN alice\r\n'),
      }),
    ).toBe('   2  +0.002s  L3    send "LOGIN alice\\r\\n"  -> sent 13 bytes "LOGIN alice\\r\\n"');
  });

  it('shows a binary send as hex with an ASCII column', () => {
    expect(
      formatStep({
        step: 4,
        elapsedMs: 16,
        line: 5,
        command: 'pack >HI 2 42',
        sent: Buffer.from('0002000000 2a'.replace(' ', ''), 'hex'),
      }),
    ).toBe('   4  +0.016s  L5    pack >HI 2 42  -> sent 6 bytes 00 02 00 00 00 2a |.....*|');
  });

  it('shows what an expect matched, how long it waited, what it skipped and captured', () => {
    const line = formatStep({
      step: 3,
      elapsedMs: 15,
      line: 4,
      command: 'expect /OK (\\d+)/ 5s',
      durationMs: 13,
      matched: {
        bytes: Buffer.from('OK 42'),
        before: Buffer.from('noise\n'),
        captures: ['OK 42', '42'],
        groups: { n: '42' },
      },
    });
    expect(line).toBe(
      '   3  +0.015s  L4    expect /OK (\\d+)/ 5s  -> matched 5 bytes "OK 42" in 13ms, after skipping 6 bytes "noise\\n" ($1="42" ${n}="42")',
    );
  });

  it('shows an expect eof and notes', () => {
    expect(
      formatStep({
        step: 9,
        elapsedMs: 1234.6,
        line: 9,
        command: 'expect eof 5s',
        matched: { bytes: Buffer.alloc(0) },
        durationMs: 2,
      }),
    ).toBe('   9  +1.235s  L9    expect eof 5s  -> matched in 2ms');
    expect(
      formatStep({
        step: 1,
        elapsedMs: 0,
        line: 1,
        command: 'connect h 1',
        note: 'connected 127.0.0.1:40000 -> 127.0.0.1:1',
        durationMs: 3,
      }),
    ).toBe('   1  +0.000s  L1    connect h 1  -> in 3ms; connected 127.0.0.1:40000 -> 127.0.0.1:1');
  });

  it('shows text in the session encoding', () => {
    expect(describeData(iconv.encode('中文', 'gbk'), { encoding: 'gbk' })).toBe('4 bytes "中文"');
    expect(describeData(iconv.encode('中文', 'gbk'))).toBe('4 bytes d6 d0 ce c4 |....|');
  });

  it('truncates long data', () => {
    expect(describeData(Buffer.alloc(100, 0x61), { maxBytes: 4 })).toBe('100 bytes "aaaa" … (96 more)');
  });
});

describe('formatElapsed and captures', () => {
  it('formats', () => {
    expect(formatElapsed(0)).toBe('+0.000s');
    expect(formatElapsed(61_000.4)).toBe('+61.000s');
    expect(formatCaptures(['all', '1', undefined], { name: 'x' })).toBe('$1="1" $2=unset ${name}="x"');
  });
});

describe('formatExpectFailure', () => {
  it('says what was expected and dumps the bytes received as hex and text', () => {
    expect(
      formatExpectFailure({
        file: 'login.srs',
        line: 4,
        col: 1,
        command: 'expect /^OK (\\d+)/ 5s',
        reason: 'timed out after 5s',
        expected: '/^OK (\\d+)/',
        received: Buffer.from('ERR busy\r\n\x00\x01'),
      }),
    ).toBe(
      [
        'login.srs:4:1: expect /^OK (\\d+)/ 5s: timed out after 5s',
        '  expected: /^OK (\\d+)/',
        '  received: 12 bytes not matched',
        '    00000000  45 52 52 20 62 75 73 79  0d 0a 00 01              |ERR busy....|',
        '  as text:  "ERR busy\\r\\n\\x00\\x01"',
      ].join('\n'),
    );
  });

  it('shows only the last bytes, at their real offsets', () => {
    const out = formatExpectFailure({
      file: 'a.srs',
      line: 1,
      col: 1,
      command: 'expect eof',
      reason: 'timed out after 1s',
      received: Buffer.alloc(1000, 0x7a),
      lastBytes: 20,
    });
    expect(out.split('\n').slice(1)).toEqual([
      '  received: 1000 bytes not matched, the last 20 shown',
      '    000003d4  7a 7a 7a 7a 7a 7a 7a 7a  7a 7a 7a 7a 7a 7a 7a 7a  |zzzzzzzzzzzzzzzz|',
      '    000003e4  7a 7a 7a 7a                                       |zzzz|',
      '  as text:  "zzzzzzzzzzzzzzzzzzzz"',
    ]);
  });

  it('says when nothing was received, and shows binary leniently as text', () => {
    expect(
      formatExpectFailure({
        file: 'a',
        line: 2,
        col: 3,
        command: 'expect "x"',
        reason: 'EOF',
        received: Buffer.alloc(0),
      }),
    ).toBe('a:2:3: expect "x": EOF\n  received: nothing (no unconsumed bytes)');
    const bin = formatExpectFailure({
      file: 'a',
      line: 1,
      col: 1,
      command: 'c',
      reason: 'r',
      received: Buffer.from([0xff, 0xfe, 0x41]),
    });
    expect(bin.split('\n').at(-1)).toBe('  as text:  "\\u{fffd}\\u{fffd}A"');
  });
});

describe('hexDumpLines', () => {
  it('lays out any bytes in rows of 16 with offsets (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const lines = hexDumpLines(bytes);
        expect(lines).toHaveLength(Math.ceil(bytes.length / 16));
        const hex = lines.map((l) => l.slice(10, 10 + 49).replace(/\s+/g, '')).join('');
        expect(hex).toBe(Buffer.from(bytes).toString('hex'));
        for (const l of lines) expect(l.indexOf('|')).toBe(10 + 50);
      }),
    );
  });
});

describe('--json events', () => {
  it('turns steps and failures into events', () => {
    expect(
      stepEvent({
        step: 3,
        elapsedMs: 15.2,
        line: 4,
        command: 'expect /(\\d+)/',
        durationMs: 13,
        matched: { bytes: Buffer.from('42'), captures: ['42', '42'] },
      }),
    ).toEqual({
      type: 'expect',
      ok: true,
      step: 3,
      t: 15,
      line: 4,
      command: 'expect /(\\d+)/',
      len: 2,
      hex: '3432',
      text: '42',
      captures: ['42'],
      ms: 13,
    });
    expect(stepEvent({ step: 1, elapsedMs: 0, line: 2, command: 'send x', sent: Buffer.from('x') })).toEqual({
      type: 'step',
      step: 1,
      t: 0,
      line: 2,
      command: 'send x',
      sent: { len: 1, hex: '78', text: 'x' },
    });
    expect(
      failureEvent({
        file: 'a',
        line: 1,
        col: 1,
        command: 'expect "x"',
        reason: 'EOF',
        expected: '"x"',
        received: Buffer.from('y'),
      }),
    ).toEqual({
      type: 'expect',
      ok: false,
      file: 'a',
      line: 1,
      col: 1,
      command: 'expect "x"',
      reason: 'EOF',
      expected: '"x"',
      received: { len: 1, hex: '79', text: 'y' },
    });
  });
});

describe('transcript literals read back as the same bytes (property)', () => {
  it('a text literal, parsed as a script string, gives the bytes it came from', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), (s) => {
        const bytes = Buffer.from(s, 'utf8');
        const shown = describeData(bytes, { maxBytes: 1000 });
        const m = /^\d+ bytes? (".*")$/s.exec(shown);
        if (!m) return; // shown as hex
        const st = parseScriptOrThrow(`send ${m[1]}`).statements[0] as CommandStatement;
        expect(
          new Variables().expandBytes(st.args[0]!.value, (t) => Buffer.from(t, 'utf8')).equals(bytes),
        ).toBe(true);
      }),
    );
  });
});
