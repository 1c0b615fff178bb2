// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is the script language's own variable syntax.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { SESSION_COMMANDS } from '../../../src/modes/session-commands.js';
import type {
  CommandStatement,
  ConnectStatement,
  ExpectAnyStatement,
  ExpectStatement,
  ListenStatement,
  RepeatStatement,
  Statement,
  Template,
} from '../../../src/script/ast.js';
import { literalText } from '../../../src/script/ast.js';
import { parseScript, parseScriptOrThrow } from '../../../src/script/parse.js';
import { ScriptSyntaxError, ScriptSyntaxErrors } from '../../../src/script/script-errors.js';
import { Variables } from '../../../src/script/variables.js';

const parse = (src: string) => parseScriptOrThrow(src, { file: 't.srs' }).statements;
const one = <T extends Statement>(src: string) => {
  const s = parse(src);
  expect(s).toHaveLength(1);
  return s[0] as T;
};
const errors = (src: string) => parseScript(src, { file: 't.srs' }).errors.map((e) => e.message);
const text = (t: Template | undefined, vars: Record<string, string> = {}) =>
  t === undefined ? undefined : new Variables({ vars }).expand(t);
const bytes = (t: Template, vars: Record<string, string> = {}) =>
  new Variables({ vars }).expandBytes(t, (s) => Buffer.from(s, 'utf8')).toString('hex');

describe('parseScript: the design example', () => {
  const example = `connect \${HOST:-127.0.0.1} 8888 nodelay source-port=40000
frame length:u32be
send "LOGIN alice\\r\\n"
expect /^OK (\\d+)/ 5s         # captures become $1, $2 ...
pack >HI 2 $1
expect hex:"00 02" 2s
fault delay:300ms dir=out
shutdown write
expect eof 5s
`;

  it('parses every line into a statement with its position', () => {
    const s = parse(example);
    expect(s.map((x) => [x.type, x.pos.line, x.pos.col])).toEqual([
      ['connect', 1, 1],
      ['command', 2, 1],
      ['command', 3, 1],
      ['expect', 4, 1],
      ['command', 5, 1],
      ['expect', 6, 1],
      ['command', 7, 1],
      ['command', 8, 1],
      ['expect', 9, 1],
    ]);
    const c = s[0] as ConnectStatement;
    expect(text(c.host)).toBe('127.0.0.1');
    expect(text(c.host, { HOST: '10.0.0.5' })).toBe('10.0.0.5');
    expect(text(c.port)).toBe('8888');
    expect(c.options.map((o) => [o.name, text(o.value)])).toEqual([
      ['nodelay', undefined],
      ['source-port', '40000'],
    ]);
    const e = s[3] as ExpectStatement;
    expect(e.pattern.kind).toBe('regex');
    if (e.pattern.kind === 'regex') expect(literalText(e.pattern.source)).toBe('^OK (\\d+)');
    expect(text(e.timeout)).toBe('5s');
    expect(e.text).toBe('expect /^OK (\\d+)/ 5s');
    const pack = s[4] as CommandStatement;
    expect(pack.name).toBe('pack');
    const vars = new Variables();
    vars.setCaptures(['OK 42', '42']);
    expect(vars.expand(pack.raw)).toBe('>HI 2 42');
    const hex = s[5] as ExpectStatement;
    expect(hex.pattern.kind).toBe('hex');
    if (hex.pattern.kind === 'hex') expect(text(hex.pattern.value)).toBe('00 02');
    expect((s[8] as ExpectStatement).pattern.kind).toBe('eof');
  });

  it('keeps REPL commands as raw text and as shell-like args', () => {
    const send = parse(example)[2] as CommandStatement;
    expect(text(send.raw)).toBe('"LOGIN alice\\r\\n"');
    expect(send.args).toHaveLength(1);
    expect(send.args[0]!.kind).toBe('string');
    expect(text(send.args[0]!.value)).toBe('LOGIN alice\r\n');
    const fault = parse(example)[6] as CommandStatement;
    expect(text(fault.raw)).toBe('delay:300ms dir=out');
    expect(fault.args.map((a) => text(a.value))).toEqual(['delay:300ms', 'dir=out']);
  });
});

describe('lines, comments and slashes', () => {
  it('accepts a leading / on any command', () => {
    expect(parse('/send hi\n/expect "hi"\n').map((s) => s.type)).toEqual(['command', 'expect']);
  });

  it('treats # as a comment only where a word could start', () => {
    const s = one<CommandStatement>('send a#b "c # d" # real comment');
    expect(text(s.raw)).toBe('a#b "c # d"');
    const e = one<ExpectStatement>('expect /a #b/ # comment');
    expect(e.pattern.kind === 'regex' && literalText(e.pattern.source)).toBe('a #b');
  });

  it('skips blank lines, comment lines, CRLF line ends and a BOM', () => {
    const s = parse('\uFEFF# header\r\n\r\n  send x\r\n\t# indented comment\r\nclose\r\n');
    expect(s.map((x) => [x.type, x.pos.line, x.pos.col])).toEqual([
      ['command', 3, 3],
      ['command', 5, 1],
    ]);
    expect(text((s[0] as CommandStatement).raw)).toBe('x');
  });

  it('does not treat a path as a regex outside patterns', () => {
    const s = one<CommandStatement>('file /tmp/data.bin');
    expect(text(s.raw)).toBe('/tmp/data.bin');
  });

  it('parses every REPL command of design section 3', () => {
    const lines = [
      'send hello world',
      'hex de ad be ef',
      'pack >HI 1 123456',
      'file ./x.bin',
      'close',
      'shutdown',
      'shutdown read',
      'reset',
      'opt linger 0',
      'info',
      'use 2',
      'all',
      'enc gbk',
      'endian le',
      'eol crlf',
      'frame length:u16le,include-header',
      'fault clear',
      'inspect 4 <I',
      'view both',
      'record out.srs',
      'save dump.bin',
      'clear',
      'help',
      'quit',
    ];
    const s = parse(lines.join('\n'));
    expect(s.map((x) => (x as CommandStatement).name)).toEqual(lines.map((l) => l.split(' ')[0]));
  });
});

describe('strings', () => {
  it('decodes escapes into text and exact bytes', () => {
    const s = one<CommandStatement>('send "a\\tb\\n\\x00\\xff\\0\\u00e9\\u{1F600}\\\\\\"\\$"');
    const v = s.args[0]!.value;
    expect(bytes(v)).toBe(
      Buffer.concat([Buffer.from('a\tb\n'), Buffer.from([0, 0xff, 0]), Buffer.from('é😀\\"$')]).toString(
        'hex',
      ),
    );
  });

  it('keeps single-quoted text literal', () => {
    const s = one<CommandStatement>("send 'a\\n $HOME ${X}'");
    expect(text(s.args[0]!.value)).toBe('a\\n $HOME ${X}');
  });

  it('opens a quote after : or = inside a word', () => {
    const s = one<CommandStatement>('frame delim:"; #"');
    expect(s.args.map((a) => text(a.value))).toEqual(['delim:; #']);
    expect(text(s.raw)).toBe('delim:"; #"');
  });

  it('keeps an apostrophe inside a word', () => {
    expect(text(one<CommandStatement>("send don't stop").raw)).toBe("don't stop");
  });

  it('round-trips any text through a quoted literal (property)', () => {
    const quote = (s: string) =>
      `"${[...s]
        .map((c) => {
          if (c === '"' || c === '\\' || c === '$') return `\\${c}`;
          const cp = c.codePointAt(0)!;
          return cp < 0x20 || cp === 0x7f ? `\\u{${cp.toString(16)}}` : c;
        })
        .join('')}"`;
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => {
        const st = one<CommandStatement>(`send ${quote(s)}`);
        expect(text(st.args[0]!.value)).toBe(s);
      }),
    );
  });
});

describe('expect', () => {
  it('takes text, regex with flags, hex in both forms, eof and frame', () => {
    const kinds = parse(
      [
        'expect "OK"',
        'expect OK',
        'expect /ok/i',
        'expect hex:"de ad"',
        'expect hex:dead',
        'expect eof',
        'expect frame 2s',
      ].join('\n'),
    ).map((s) => (s as ExpectStatement).pattern.kind);
    expect(kinds).toEqual(['text', 'text', 'regex', 'hex', 'hex', 'eof', 'frame']);
  });

  it('parses a timeout and or fail', () => {
    const e = one<ExpectStatement>('expect "OK" 500ms or fail "login failed for ${USER}"');
    expect(text(e.timeout)).toBe('500ms');
    expect(text(e.failMessage, { USER: 'bob' })).toBe('login failed for bob');
    const f = one<ExpectStatement>('expect "OK" or fail no login');
    expect(e.timeout).toBeDefined();
    expect(f.timeout).toBeUndefined();
    expect(text(f.failMessage)).toBe('no login');
  });

  it('keeps / inside a character class and escaped slashes in a regex', () => {
    const e = one<ExpectStatement>('expect /a[/]b\\/c/m');
    expect(e.pattern.kind === 'regex' && [literalText(e.pattern.source), e.pattern.flags]).toEqual([
      'a[/]b\\/c',
      'm',
    ]);
  });

  it('expands only ${...} inside a regex, escaped', () => {
    const e = one<ExpectStatement>('expect /^${NAME}$/');
    if (e.pattern.kind !== 'regex') throw new Error('not a regex');
    expect(text(e.pattern.source, { NAME: 'a.b' })).toBe('^a\\.b$');
  });
});

describe('blocks', () => {
  it('parses repeat with bodies on one line or many', () => {
    const [a, b] = parse(
      'repeat 3 { send "x"; expect "y" }\nrepeat 2 {\n  send z\n  repeat 2 { close }\n}\n',
    ) as RepeatStatement[];
    expect(text(a!.count)).toBe('3');
    expect(a!.body.map((s) => s.type)).toEqual(['command', 'expect']);
    expect(b!.body.map((s) => s.type)).toEqual(['command', 'repeat']);
    expect((b!.body[1] as RepeatStatement).body).toHaveLength(1);
    expect(b!.body[0]!.pos).toMatchObject({ line: 3, col: 3 });
  });

  it('lets braces inside a word balance, and an extra } close the block', () => {
    const [r] = parse('repeat 1 { send {"a":1}}') as RepeatStatement[];
    expect(text((r!.body[0] as CommandStatement).raw)).toBe('{"a":1}');
  });

  it('treats ; and } as text at the top level', () => {
    expect(text(one<CommandStatement>('send a;b}').raw)).toBe('a;b}');
  });

  it('parses expect-any with branches, a timeout branch, and a timeout after the block', () => {
    const s = one<ExpectAnyStatement>(`expect-any {
  "A" -> send "a"
  /B(\\d)/ -> { send "b$1"; sleep 1s }   # two steps
  hex:ff -> fail "bad"; eof -> close
  timeout -> fail "nothing came"
} 3s or fail "x"`);
    expect(s.branches.map((b) => [b.pattern.kind, b.body.map((x) => x.type)])).toEqual([
      ['text', ['command']],
      ['regex', ['command', 'sleep']],
      ['hex', ['fail']],
      ['eof', ['command']],
      ['timeout', ['fail']],
    ]);
    expect(text(s.timeout)).toBe('3s');
    expect(text(s.failMessage)).toBe('x');
  });

  it('accepts the timeout before the block and a one-line form', () => {
    const s = one<ExpectAnyStatement>('expect-any 2s { "A" -> close; "B" -> {} }');
    expect(text(s.timeout)).toBe('2s');
    expect(s.branches[1]!.body).toEqual([]);
  });
});

describe('connect and listen', () => {
  it('parses listen with and without a host', () => {
    const a = one<ListenStatement>('listen 8888');
    expect(a.host).toBeUndefined();
    expect(text(a.port)).toBe('8888');
    const b = one<ListenStatement>('listen ::1 0 udp reuseaddr');
    expect(text(b.host)).toBe('::1');
    expect(b.options.map((o) => o.name)).toEqual(['udp', 'reuseaddr']);
    const c = one<ListenStatement>('listen 9000 keep-open max-clients=2');
    expect(c.host).toBeUndefined();
    expect(c.options.map((o) => [o.name, text(o.value)])).toEqual([
      ['keep-open', undefined],
      ['max-conns', '2'],
    ]);
  });

  it('accepts socket-table aliases and --prefixed words, naming them canonically', () => {
    const c = one<ConnectStatement>(
      'connect h 1 TCP_NODELAY --linger=0 keepalive-idle=30 SO_RCVBUF=64k ipv4',
    );
    expect(c.options.map((o) => o.name)).toEqual(['nodelay', 'linger', 'keepalive-idle', 'rcvbuf', 'ipv4']);
  });

  it('leaves values with variables to run time', () => {
    expect(errors('connect h 1 linger=${L}')).toEqual([]);
  });
});

describe('set, sleep, timeout, fail', () => {
  it('parses them', () => {
    const s = parse('set GREETING hello  world\nset E ""\nsleep 250ms\ntimeout 5s\nfail "stop here"\nfail');
    expect(s.map((x) => x.type)).toEqual(['set', 'set', 'sleep', 'timeout', 'fail', 'fail']);
    expect(s[0]!.type === 'set' && [s[0].name, text(s[0].value)]).toEqual(['GREETING', 'hello  world']);
    expect(s[1]!.type === 'set' && text(s[1].value)).toBe('');
  });
});

describe('syntax errors', () => {
  const cases: [string, string][] = [
    ['sned x', "t.srs:1:1: unknown command 'sned' (did you mean 'send'?)"],
    ['frobnicate', "t.srs:1:1: unknown command 'frobnicate'"],
    ['send "abc', 't.srs:1:6: unterminated string (it must end on the same line)'],
    ['expect /abc', 't.srs:1:8: unterminated regex (it must end on the same line)'],
    ['expect /a(/', 't.srs:1:8: bad regex: /a(/: Unterminated group'],
    ['expect /a/z', "t.srs:1:11: bad regex flags 'z' (use d, g, i, m, s, u, v, y)"],
    ['expect', 't.srs:1:7: expect needs a pattern: "text", /regex/, hex:"de ad", eof or frame'],
    ['expect "a" 5 parsecs', "t.srs:1:14: unexpected 'parsecs': expected 'or fail \"message\"'"],
    ['expect "a" soon', "t.srs:1:12: timeout: 'soon' is not a duration (use e.g. 500ms, 2s, 1m)"],
    [
      'expect hex:"de a"',
      "t.srs:1:12: hex: odd number of hex digits at column 4: 'a' (write whole bytes, e.g. 0a)",
    ],
    ['expect timeout', "t.srs:1:8: 'timeout' is a pattern only inside expect-any"],
    [
      'send "a\\q"',
      "t.srs:1:8: unknown escape '\\q' (known: \\r \\n \\t \\0 \\\\ \\xNN \\u{...} \\e \\a \\b \\f \\v \\\" \\' \\$)",
    ],
    ['send "\\x4"', "t.srs:1:7: '\\x4\"' (\\x takes two hex digits, e.g. \\x0a)"],
    ['send "a"b', "t.srs:1:9: unexpected 'b' after the closing quote; separate arguments with a space"],
    ['send ${1x}', 't.srs:1:6: bad variable reference: use ${NAME}, ${NAME:-default} or ${1}'],
    ['send ${X:-a', "t.srs:1:6: unterminated '${': expected '}'"],
    ['shutdown both', "t.srs:1:10: shutdown: 'both' is not one of read, write"],
    ['endian middle', "t.srs:1:8: endian: 'middle' is not one of le, be"],
    ['use', 't.srs:1:1: use: missing argument; usage: use <conn>'],
    ['clear now', 't.srs:1:1: clear: too many arguments; usage: clear'],
    ['opt nodelay maybe', "t.srs:1:5: opt: nodelay: 'maybe' is not on/off"],
    ['opt nagle on', "t.srs:1:5: opt: unknown socket option 'nagle'"],
    ['enc gbkk', "t.srs:1:5: enc: unknown encoding 'gbkk'"],
    ['hex de ad zz', "t.srs:1:5: hex: bad hex at column 7: 'z'"],
    ['connect 127.0.0.1', 't.srs:1:1: connect: missing port; usage: connect <host> <port> [options]'],
    ['connect h 0', 't.srs:1:11: connect: port 0 cannot be connected to'],
    ['connect h 70000', 't.srs:1:11: connect: port: 70000 is out of range (0..65535)'],
    ['connect h 1 nodelya', "t.srs:1:13: unknown connect option 'nodelya' (did you mean 'nodelay'?)"],
    ['connect h 1 linger', "t.srs:1:13: 'linger' needs a value, as in linger=5s"],
    ['connect h 1 linger=soon', "t.srs:1:13: linger: 'soon' is not a duration (use e.g. 500ms, 2s, 1m)"],
    ['connect h 1 keep-open', "t.srs:1:13: 'keep-open' applies to listen only, not to connect"],
    ['connect h 1 udp nodelay', 't.srs:1:1: connect: nodelay applies to TCP only, not with udp'],
    ['connect h 1 ipv4 ipv6', 't.srs:1:1: connect: ipv4 and ipv6 exclude each other'],
    ['listen', 't.srs:1:1: listen: missing address; usage: listen [host] <port> [options]'],
    ['listen 80 wait=1s', "t.srs:1:11: 'wait' applies to connect only, not to listen"],
    ['repeat x { close }', "t.srs:1:8: repeat: 'x' is not a whole number from 0 to 1000000000"],
    ['repeat 2 close', "t.srs:1:10: repeat needs '{' on the same line: repeat 3 { ... }"],
    [
      'repeat 2 {\n send x\n',
      "t.srs:1:10: '{' is never closed (a '}' must be separated from the text before it)",
    ],
    ['}', "t.srs:1:1: unexpected '}': no block is open"],
    ['expect-any { "A" send x }', 't.srs:1:18: expected \'->\' after the pattern, as in "OK" -> send "next"'],
    ['expect-any { }', 't.srs:1:12: expect-any needs at least one branch: pattern -> command'],
    ['expect-any { "A" -> }', "t.srs:1:21: expected a command after '->' (or {} to do nothing)"],
    ['set 1X y', 't.srs:1:5: set needs a variable name (letters, digits, _): set NAME value'],
    ['set X', 't.srs:1:6: set X: missing value (write "" for an empty one)'],
    ['sleep', 't.srs:1:6: sleep needs a duration, as in sleep 500ms or sleep 2s'],
    ['sleep 1s 2s', "t.srs:1:10: unexpected '2s' at the end of the command"],
    ['/', "t.srs:1:1: a command name must follow '/'"],
  ];
  it.each(cases)('%s', (src, message) => {
    const got = errors(src);
    expect(got.length, got.join('\n')).toBeGreaterThanOrEqual(1);
    expect(got[0]!.startsWith(message), `${got[0]} does not start with ${message}`).toBe(true);
  });

  it('collects every error of a script, recovering at the next command', () => {
    const got = errors('sned x\nsend ok\nexpect /a(/\nrepeat 2 {\n  frob\n  send y\n}\nshutdown both\n');
    expect(got.map((m) => m.split(':').slice(0, 3).join(':'))).toEqual([
      't.srs:1:1',
      't.srs:3:8',
      't.srs:5:3',
      't.srs:8:10',
    ]);
  });

  it('throws one ScriptSyntaxError, or ScriptSyntaxErrors for several, both usage errors', () => {
    let err: unknown;
    try {
      parseScriptOrThrow('frob', { file: 'a.srs' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScriptSyntaxError);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as ScriptSyntaxError).exitCode).toBe(2);
    expect((err as ScriptSyntaxError).line).toBe(1);
    try {
      parseScriptOrThrow('frob\nfrob', { file: 'a.srs' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScriptSyntaxErrors);
    expect((err as ScriptSyntaxErrors).message).toBe(
      "a.srs:1:1: unknown command 'frob'\na.srs:2:1: unknown command 'frob'\n2 syntax errors; nothing was run",
    );
  });

  it('accepts command words contributed by plugins', () => {
    expect(errors('mqtt-publish topic x')).toHaveLength(1);
    const commands = [
      ...SESSION_COMMANDS,
      { name: 'mqtt-publish', usage: '/mqtt-publish <topic> <text>', summary: '', arg: 'text' as const },
    ];
    expect(parseScript('mqtt-publish topic x', { commands }).errors).toEqual([]);
  });

  it('never throws on garbage, and reports positions inside the source (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'ab /"\'#{};$\\\n-> :=x0'.split('')), maxLength: 60 }),
        (src) => {
          const { errors: errs } = parseScript(src, { file: 'g' });
          const lines = src.split('\n');
          for (const e of errs) {
            expect(e).toBeInstanceOf(ScriptSyntaxError);
            expect(e.line).toBeGreaterThanOrEqual(1);
            expect(e.line).toBeLessThanOrEqual(lines.length);
            expect(e.col).toBeGreaterThanOrEqual(1);
            expect(e.col).toBeLessThanOrEqual(lines[e.line - 1]!.length + 1);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
