// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is the script language's own variable syntax.
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import iconv from 'iconv-lite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CliProcess, sleep } from '../../helpers/cli.js';
import { parseJsonEvents } from '../../helpers/json-events.js';
import { freePort } from '../../helpers/servers.js';
import { lineServer, run, scriptDir } from './helpers.js';

const dir = scriptDir();
afterAll(() => dir.cleanup());

/** The login protocol the examples use: `LOGIN name` → `OK <id>`, binary `ping` → `pong`. */
function loginReply(line: string): string | Uint8Array | undefined {
  const login = /^LOGIN (\w+)$/.exec(line);
  if (login) return login[1] === 'alice' ? 'OK 42 alice\r\n' : 'ERR no such user\r\n';
  if (line === 'BIN') return Buffer.from([0x00, 0x02, 0x00, 0x00, 0x00, 0x2a, 0xff, 0x0a]);
  if (line === 'QUIT') return 'BYE\r\n';
  return undefined;
}

const LOGIN = `# a line protocol
connect 127.0.0.1 \${PORT}
send "LOGIN \${USER:-alice}\\r\\n"
expect /^OK (\\d+) (?<name>\\w+)\\r\\n/ \${T:-5s}
set ID $1
send "BIN\\n"
expect hex:"00 02"
expect hex:"00 00 00 2a ff"
expect "\\n"
send "QUIT\\n"
expect "BYE\\r\\n"
expect eof
`;

describe.each(['whole', 'bytewise'] as const)('a login script, replies sent %s', (chunking) => {
  let server: Awaited<ReturnType<typeof lineServer>>;
  beforeAll(async () => {
    server = await lineServer(
      (line, socket) => {
        const r = loginReply(line);
        if (line === 'QUIT') setTimeout(() => socket.end(), 20);
        return r;
      },
      { chunking },
    );
  });
  afterAll(() => server.close());

  it('passes with exit 0 and a transcript of every step', async () => {
    const script = dir.write(`login-${chunking}.srs`, LOGIN);
    const r = await run([script, '--var', `PORT=${server.port}`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines.find((l) => l.includes('L3 '))).toMatch(
      /send "LOGIN \$\{USER:-alice\}\\r\\n"\s+-> sent 13 bytes "LOGIN alice\\r\\n"/,
    );
    expect(lines.find((l) => l.includes('L4 '))).toMatch(
      /matched 13 bytes "OK 42 alice\\r\\n" in \d+ms \(\$1="42" \$2="alice" \$\{name\}="alice"\)/,
    );
    expect(lines.find((l) => l.includes('L5 '))).toMatch(/ID="42"/);
    expect(lines.find((l) => l.includes('L8 '))).toMatch(/matched 5 bytes 00 00 00 2a ff \|\.\.\.\*\.\|/);
    expect(lines.find((l) => l.includes('L12 '))).toMatch(/expect eof\s+-> matched/);
    expect(r.out).toMatch(/^passed: 11 steps in \d+\.\d{3}s$/m);
    expect(r.out).toMatch(
      /^\s+·\s+\+\d\.\d{3}s\s+connection \d+ open: 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+$/m,
    );
  });

  it('gives the same failure whatever the chunking', async () => {
    const script = dir.write(`wrong-${chunking}.srs`, LOGIN);
    const r = await run([script, '--var', `PORT=${server.port}`, '--var', 'USER=bob', '--var', 'T=300ms']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(
      `${script}:4:1: expect /^OK (\\d+) (?<name>\\w+)\\r\\n/ \${T:-5s}: timed out after 300ms`,
    );
    expect(r.stderr).toContain('expected: /^OK (\\d+) (?<name>\\w+)\\r\\n/');
    expect(r.stderr).toContain('received: 18 bytes not matched');
    expect(r.stderr).toContain('45 52 52 20 6e 6f 20 73  75 63 68 20 75 73 65 72  |ERR no such user|');
    expect(r.stderr).toContain('as text:  "ERR no such user\\r\\n"');
  }, 20_000);
});

describe('failures: message and exit code', () => {
  let server: Awaited<ReturnType<typeof lineServer>>;
  beforeAll(async () => {
    server = await lineServer((line, socket) => {
      if (line === 'CLOSE') {
        socket.end('closing\n');
        return undefined;
      }
      if (line === 'RESET') {
        socket.resetAndDestroy();
        return undefined;
      }
      return `echo ${line}\n`;
    });
  });
  afterAll(() => server.close());
  const port = () => `PORT=${server.port}`;

  it('reports every syntax error as file:line:col before connecting (exit 2)', async () => {
    const before = server.connections();
    const script = dir.write(
      'syntax.srs',
      'connect 127.0.0.1 ${PORT} nodelay\nsend "hi\\n"\nexpect /(unclosed/ 1s\nsned "x"\nexpect "a" 5 parsecs\n',
    );
    const r = await run([script, '--var', port()]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')).toEqual([
      `${script}:3:8: bad regex: /(unclosed/: Unterminated group`,
      `${script}:4:1: unknown command 'sned' (did you mean 'send'?)`,
      expect.stringMatching(new RegExp(`^${escapeRe(script)}:5:\\d+: `)),
      '3 syntax errors; nothing was run',
      '',
    ]);
    expect(r.out).toBe('');
    expect(server.connections()).toBe(before);
  });

  it('times out with what was expected and the last bytes as hex and text (exit 3)', async () => {
    const script = dir.write(
      'timeout.srs',
      'connect 127.0.0.1 ${PORT}\nsend "ab\\x01\\n"\nexpect "never" 300ms\n',
    );
    const r = await run([script, '--var', port()]);
    expect(r.code).toBe(3);
    // The timeout's own message (below) shows it fired; how fast is no test's business.
    expect(r.stderr).toBe(
      [
        `${script}:3:1: expect "never" 300ms: timed out after 300ms`,
        '  expected: "never"',
        '  received: 9 bytes not matched',
        '    00000000  65 63 68 6f 20 61 62 01  0a                       |echo ab..|',
        '  as text:  "echo ab\\x01\\n"',
        '',
      ].join('\n'),
    );
    expect(r.out).toMatch(/^FAILED: 3 steps/m);
  });

  it('says "or fail" messages instead of the reason', async () => {
    const script = dir.write(
      'orfail.srs',
      'connect 127.0.0.1 ${PORT}\nexpect "x" 100ms or fail "server did not greet ${WHO}"\n',
    );
    const r = await run([script, '--var', port(), '--var', 'WHO=us']);
    expect(r.code).toBe(3);
    expect(r.stderr.split('\n')[0]).toBe(
      `${script}:2:1: expect "x" 100ms or fail "server did not greet \${WHO}": server did not greet us`,
    );
    expect(r.stderr).toContain('received: nothing');
  });

  it('fails an expect that meets the peer closing (exit 3)', async () => {
    const script = dir.write('eof.srs', 'connect 127.0.0.1 ${PORT}\nsend "CLOSE\\n"\nexpect "OK" 5s\n');
    const r = await run([script, '--var', port()]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`${script}:3:1: expect "OK" 5s: the peer closed the connection (EOF)`);
    expect(r.stderr).toContain('as text:  "closing\\n"');
  });

  it('fails an expect cut by a reset as a network error (exit 1)', async () => {
    const script = dir.write('reset.srs', 'connect 127.0.0.1 ${PORT}\nsend "RESET\\n"\nexpect "OK" 5s\n');
    const r = await run([script, '--var', port()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^${escapeRe(script)}:3:1: expect "OK" 5s: .*ECONNRESET`));
  });

  it('reports a refused connection at its line (exit 1)', async () => {
    const closed = await freePort();
    const script = dir.write('refused.srs', `connect 127.0.0.1 ${closed}\nsend "x"\n`);
    const r = await run([script]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `${script}:1:1: connect 127.0.0.1:${closed}: ECONNREFUSED: nothing is listening there (the peer answered SYN with RST)`,
    );
  });

  it('reports an undefined variable where it is used (exit 2), after the steps before it ran', async () => {
    const script = dir.write('undef.srs', 'connect 127.0.0.1 ${PORT}\nsend "hi ${NOBODY}\\n"\n');
    const r = await run([script, '--var', port()]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(new RegExp(`^${escapeRe(script)}:2:10: undefined variable 'NOBODY'`));
    expect(r.out).toMatch(/L1\s+connect/);
  });

  it('reports a command the session rejects at its line (exit 2)', async () => {
    const script = dir.write('badcmd.srs', 'connect 127.0.0.1 ${PORT}\npack >HI 1\n');
    const r = await run([script, '--var', port()]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(new RegExp(`^${escapeRe(script)}:2:1: pack >HI 1: `));
  });

  it('fail stops with exit 3 and shows what is unconsumed', async () => {
    const script = dir.write(
      'fail.srs',
      'connect 127.0.0.1 ${PORT}\nsend "A\\n"\nexpect "echo" 2s\nsleep 100ms\nfail "giving up"\n',
    );
    const r = await run([script, '--var', port()]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`${script}:5:1: fail "giving up": giving up`);
    expect(r.stderr).toContain('as text:  " A\\n"');
  });

  it('a missing script file is a usage error', async () => {
    const r = await run([`${dir.dir}/nope.srs`]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`sockrepl: run: cannot read ${dir.dir}/nope.srs: ENOENT`);
  });

  it('--json: steps, session events, the failure and the verdict as NDJSON', async () => {
    const script = dir.write(
      'json.srs',
      'connect 127.0.0.1 ${PORT}\nsend "hi\\n"\nexpect /echo (\\w+)/ 2s\nexpect "zzz" 200ms\n',
    );
    const r = await run([script, '--var', port(), '--json']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('');
    const events = parseJsonEvents<Record<string, unknown>>(r.out);
    const types = events.map((e) => e.type);
    expect(types).toContain('open');
    expect(events.find((e) => e.type === 'step' && e.line === 2)).toMatchObject({
      sent: { len: 3, hex: '68690a', text: 'hi\n' },
    });
    expect(events.find((e) => e.type === 'expect' && e.ok === true)).toMatchObject({
      line: 3,
      captures: ['hi'],
      text: 'echo hi',
    });
    expect(events.find((e) => e.type === 'expect' && e.ok === false)).toMatchObject({
      line: 4,
      reason: 'timed out after 200ms',
      expected: '"zzz"',
      received: { len: 1, hex: '0a', text: '\n' },
      exit: 3,
    });
    expect(events.at(-1)).toMatchObject({ type: 'done', ok: false, exit: 3, steps: 4 });
  });
});

describe('control: expect-any, repeat, set, sleep, quit', () => {
  let server: Awaited<ReturnType<typeof lineServer>>;
  beforeAll(async () => {
    let n = 0;
    server = await lineServer((line) => {
      if (line === 'NEXT') return ++n % 2 === 0 ? 'EVEN\n' : 'ODD\n';
      if (line === 'SILENT') return undefined;
      return `${line}\n`;
    });
  });
  afterAll(() => server.close());

  it('branches on whichever pattern arrives first, and takes the timeout branch', async () => {
    const script = dir.write(
      'branch.srs',
      [
        'connect 127.0.0.1 ${PORT}',
        'set odd 0',
        'repeat 4 {',
        '  send "NEXT\\n"',
        '  expect-any 2s {',
        '    "EVEN\\n" -> send "saw even\\n"',
        '    /ODD\\n/ -> { set odd yes; send "saw odd\\n" }',
        '  }',
        '  expect /^saw \\w+\\n/',
        '}',
        'send "SILENT\\n"',
        'expect-any 200ms { "never" -> fail "impossible"; timeout -> send "late\\n" }',
        'expect "late\\n"',
        'quit',
        'fail "not reached"',
      ].join('\n'),
    );
    const r = await run([script, '--var', `PORT=${server.port}`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.match(/\(branch "EVEN\\n"\)/g)).toHaveLength(2);
    expect(r.out.match(/\(branch \/ODD\\n\/\)/g)).toHaveLength(2);
    expect(r.out).toMatch(/L3\s+repeat 4\s+-> 4 iterations/);
    expect(r.out).toMatch(/nothing matched in 200ms: timeout branch/);
    expect(r.out).toMatch(/L14\s+quit\s+-> quit/);
  });

  it('sleeps, and timeout sets the default of the expects after it', async () => {
    const script = dir.write(
      'sleep.srs',
      'connect 127.0.0.1 ${PORT}\nsleep 150ms\ntimeout 250ms\nsend "SILENT\\n"\nexpect "x"\n',
    );
    const started = Date.now();
    const r = await run([script, '--var', `PORT=${server.port}`]);
    expect(r.code).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    // At least the asked time; how much longer depends on the machine's load, not on sockrepl.
    const slept = /L2\s+sleep 150ms\s+-> in (\d+)ms/.exec(r.out);
    expect(Number(slept?.[1])).toBeGreaterThanOrEqual(150);
    expect(r.stderr).toContain(': expect "x": timed out after 250ms');
  });
});

describe('listening scripts', () => {
  it('listen, then expect a client that connects', async () => {
    const port = await freePort();
    const script = dir.write(
      'listen.srs',
      `listen 127.0.0.1 ${port}\nsend "HELLO\\n"\nexpect "HI\\n" 5s\nsend "BYE\\n"\nexpect eof 5s\n`,
    );
    const p = new CliProcess(['run', script]);
    await p.waitForStdout((out) => out.includes(`listening on TCP 127.0.0.1:${port}`));
    const client = net.connect(port, '127.0.0.1');
    const got: Buffer[] = [];
    client.on('data', (d: Buffer) => {
      got.push(d);
      if (d.toString().includes('HELLO')) client.write('HI\n');
      if (d.toString().includes('BYE')) client.end();
    });
    const r = await p.exited;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(Buffer.concat(got).toString()).toBe('HELLO\nBYE\n');
    expect(r.stdout.toString()).toMatch(/connection \d+ open: 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+/);
  });

  it('fails when no client comes in time (exit 3)', async () => {
    const port = await freePort();
    const script = dir.write('lonely.srs', `listen 127.0.0.1 ${port}\nexpect "HI" 300ms\n`);
    const r = await run([script]);
    expect(r.code).toBe(3);
    expect(r.stderr.split('\n')[0]).toBe(
      `${script}:2:1: expect "HI" 300ms: no client connected within 300ms`,
    );
  });

  it('a send waits for the client like an expect does (exit 3 when none comes)', async () => {
    const port = await freePort();
    const script = dir.write(
      'banner.srs',
      `listen 127.0.0.1 ${port}\ntimeout 300ms\nsend "220 hello\\r\\n"\n`,
    );
    const r = await run([script]);
    expect(r.code).toBe(3);
    expect(r.stderr.split('\n')[0]).toBe(
      `${script}:3:1: send "220 hello\\r\\n": no client connected within 300ms`,
    );
  });

  it('listens on UDP and answers the first datagram', async () => {
    const port = await freePort();
    const script = dir.write(
      'udp-listen.srs',
      `listen 127.0.0.1 ${port} udp\nexpect "ping" 5s\nsend "pong"\n`,
    );
    const p = new CliProcess(['run', script]);
    await p.waitForStdout((out) => out.includes('listening on UDP'));
    const sock = dgram.createSocket('udp4');
    const reply = new Promise<string>((resolve) => sock.on('message', (m) => resolve(m.toString())));
    sock.send('ping', port, '127.0.0.1');
    expect(await reply).toBe('pong');
    sock.close();
    expect((await p.exited).code).toBe(0);
  });
});

describe('encodings, UDP, framing', () => {
  it('speaks GBK with enc gbk', async () => {
    const server = await lineServer((line) =>
      iconv.decode(Buffer.from(line, 'latin1'), 'gbk') === '你好'
        ? iconv.encode('欢迎，朋友\n', 'gbk')
        : undefined,
    );
    const script = dir.write(
      'gbk.srs',
      'enc gbk\nconnect 127.0.0.1 ${PORT}\nsend "你好\\n"\nexpect /欢迎，(\\S+)\\n/ 2s\nexpect "" 1s\n',
    );
    // The empty pattern is a syntax error: fix the script and run it.
    const bad = await run([script, '--var', `PORT=${server.port}`]);
    expect(bad.code).toBe(2);
    dir.write('gbk.srs', 'enc gbk\nconnect 127.0.0.1 ${PORT}\nsend "你好\\n"\nexpect /欢迎，(\\S+)\\n/ 2s\n');
    const r = await run([script, '--var', `PORT=${server.port}`]);
    await server.close();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('$1="朋友"');
    expect(r.out).toMatch(/sent 5 bytes "你好\\n"/);
  });

  it('connects over UDP', async () => {
    const sock = dgram.createSocket('udp4');
    sock.on('message', (m, from) =>
      sock.send(Buffer.concat([Buffer.from('re:'), m]), from.port, from.address),
    );
    await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
    const script = dir.write(
      'udp.srs',
      'connect 127.0.0.1 ${PORT} udp\nsend "one"\nexpect "re:one" 2s\nhex "00 ff"\nexpect hex:"72 65 3a 00 ff" 2s\n',
    );
    const r = await run([script, '--var', `PORT=${sock.address().port}`]);
    sock.close();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('expect frame takes whole frames, however the stream is cut', async () => {
    const server = net.createServer((s) => {
      s.on('error', () => {});
      s.once('data', async () => {
        const frame = (text: string) => {
          const body = Buffer.from(text);
          const head = Buffer.alloc(4);
          head.writeUInt32BE(body.length);
          return Buffer.concat([head, body]);
        };
        const all = Buffer.concat([frame('first'), frame('second one'), frame('x')]);
        for (let i = 0; i < all.length; i += 3) {
          s.write(all.subarray(i, i + 3));
          await sleep(2);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const script = dir.write(
      'frame.srs',
      'connect 127.0.0.1 ${PORT}\nframe length:u32be\nsend "go"\nexpect frame 2s\nexpect frame 2s\nexpect /x/ 2s\n',
    );
    const r = await run([script, '--var', `PORT=${port}`]);
    server.close();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/L3\s+send "go"\s+-> sent 6 bytes 00 00 00 02 67 6f/);
    expect(r.out).toMatch(/L4\s+expect frame 2s\s+-> matched 9 bytes 00 00 00 05 66 69 72 73 74/);
    expect(r.out).toMatch(/L5\s+expect frame 2s\s+-> matched 14 bytes/);
  });

  it('expect frame without framing is a usage error at the pattern', async () => {
    const server = await lineServer(() => undefined);
    const script = dir.write('noframe.srs', 'connect 127.0.0.1 ${PORT}\nexpect frame 1s\n');
    const r = await run([script, '--var', `PORT=${server.port}`]);
    await server.close();
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`${script}:2:8: expect frame: framing is off; turn it on with frame <spec>`);
  });
});

describe('the run command line', () => {
  afterEach(() => undefined);

  it('rejects options that mean nothing for a script', async () => {
    const script = dir.write('x.srs', 'sleep 1ms\n');
    const r = await run([script, '--record', '/tmp/x.srs']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'sockrepl: run: --record: a script is a recording already; --record applies to connect, listen and proxy',
    );
  });

  it('rejects a malformed --var', async () => {
    const script = dir.write('y.srs', 'sleep 1ms\n');
    const r = await run([script, '--var', '1X=2']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("sockrepl: --var 1X=2: '1X' is not a variable name (letters, digits and _)");
  });
});

function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
