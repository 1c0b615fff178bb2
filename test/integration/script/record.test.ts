import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { CliProcess, runCli } from '../../helpers/cli.js';
import { parseJsonEvents } from '../../helpers/json-events.js';
import { freePort } from '../../helpers/servers.js';
import { lineServer, run, scriptDir } from './helpers.js';

const dir = scriptDir();
afterAll(() => dir.cleanup());

/** A service with a greeting, text, binary and GBK replies, and a goodbye that closes. */
function service(chunking: 'whole' | 'bytewise', variant = 'v1') {
  return lineServer(
    (line, socket) => {
      if (line === 'HELP') return `commands: HELP BIN QUIT (${variant})\r\nend\r\n`;
      if (line === 'BIN') return Buffer.from([0x00, 0x04, 0xde, 0xad, 0xbe, 0xef, 0x0a, 0x00, 0x7f]);
      if (line === 'QUIT') {
        setTimeout(() => socket.end(), 30);
        return 'bye\r\n';
      }
      return `? ${line}\r\n`;
    },
    { chunking, greeting: `220 service ${variant} ready\r\n` },
  );
}

/** Drives a `--json` session: sends each command after the previous one's result came back. */
async function jsonSession(
  args: string[],
  commands: string[],
): Promise<{ code: number | null; stdout: string }> {
  const input = `${commands.join('\n')}\n`;
  const r = await runCli([...args, '--json'], input, 15_000);
  return { code: r.code, stdout: r.stdout.toString() };
}

describe.each([
  ['whole', 'bytewise'],
  ['bytewise', 'whole'],
] as const)('record with replies sent %s, replay with them sent %s', (recordChunking, replayChunking) => {
  it('replays the recorded session against the same service and passes', async () => {
    const file = `${dir.dir}/session-${recordChunking}.srs`;
    const recording = await service(recordChunking);
    const session = await jsonSession(
      ['connect', '127.0.0.1', String(recording.port), '--record', file],
      [
        '/expect "ready\\r\\n" 5s',
        'HELP',
        '/expect "end\\r\\n" 5s',
        'BIN',
        '/expect hex:7f 5s',
        '/hex 00 01 ff 0a',
        '/expect "? " 5s',
        '/expect "\\r\\n" 5s',
        'QUIT',
        '/expect eof 5s',
      ],
    );
    await recording.close();
    expect(session.code).toBe(0);
    const script = readFileSync(file, 'utf8');
    expect(script).toContain(`connect 127.0.0.1 ${recording.port}\n`);
    expect(script).toContain('expect "220 service v1 ready\\r\\n"\n');
    expect(script).toContain('send "HELP\\n"\n');
    expect(script).toContain('expect "commands: HELP BIN QUIT (v1)\\r\\n"\nexpect "end\\r\\n"\n');
    expect(script).toContain('send "BIN\\n"\nexpect hex:"00 04 de ad be ef 0a 00 7f"\n');
    expect(script).toContain('hex "00 01 ff 0a"\nexpect hex:"3f 20 00 01 c3 bf 0d 0a"\n');
    expect(script).toMatch(/send "QUIT\\n"\nexpect "bye\\r\\n"\nexpect eof\n/);

    // The same service on another port: the port is a variable away.
    const replayed = await service(replayChunking);
    const replay = dir.write(
      `replay-${recordChunking}.srs`,
      script.replace(`connect 127.0.0.1 ${recording.port}`, `connect 127.0.0.1 ${replayed.port}`),
    );
    const r = await run([replay]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);

    // A service that answers differently fails the replay where it differs.
    const changed = await service(replayChunking, 'v2');
    const against = dir.write(
      `changed-${recordChunking}.srs`,
      script
        .replace(`connect 127.0.0.1 ${recording.port}`, `connect 127.0.0.1 ${changed.port}`)
        .replace(/^expect "(.*)"$/gm, 'expect "$1" 1s'),
    );
    const failed = await run([against]);
    await Promise.all([replayed.close(), changed.close()]);
    expect(failed.code).toBe(3);
    expect(failed.stderr).toContain('expect "220 service v1 ready\\r\\n" 1s: ');
  }, 30_000);
});

describe('/record in a session', () => {
  it('records from /record to /record stop, and the file replays', async () => {
    const server = await service('whole');
    const file = `${dir.dir}/partial.srs`;
    const session = await jsonSession(
      ['connect', '127.0.0.1', String(server.port)],
      [
        '/expect "ready\\r\\n" 5s',
        `/record ${file}`,
        'HELP',
        '/expect "end\\r\\n" 5s',
        '/record',
        '/record stop',
        'nope',
        '/expect "? nope\\r\\n" 5s',
        '/quit',
      ],
    );
    expect(session.code).toBe(0);
    const results = parseJsonEvents<{ type: string; command?: string; lines?: string[] }>(
      session.stdout,
    ).filter((e) => e.command === 'record');
    expect(results.map((e) => e.lines?.[0])).toEqual([
      `recording to ${file}; /record stop finishes it`,
      expect.stringMatching(new RegExp(`^recording to ${file} \\(\\d+ lines so far\\)$`)),
      expect.stringMatching(/^recorded \d+ lines to .*; replay with: sockrepl run /),
    ]);
    const script = readFileSync(file, 'utf8');
    expect(script).not.toContain('nope');
    expect(script).not.toContain('ready');
    // The greeting came before the recording: the replay must skip it to find the reply.
    const r = await run([file]);
    await server.close();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/after skipping \d+ bytes "220 service v1 ready\\r\\n"/);
  }, 20_000);

  it('a recording to a file that cannot be written is a clear error and the session goes on', async () => {
    const server = await service('whole');
    const session = await jsonSession(
      ['connect', '127.0.0.1', String(server.port)],
      ['/record /nonexistent-dir/x.srs', 'HELP', '/expect "end\\r\\n" 5s', '/quit'],
    );
    await server.close();
    expect(session.code).toBe(0);
    expect(session.stdout).toContain('record: cannot write /nonexistent-dir/x.srs: ENOENT');
    expect(session.stdout).toMatch(/"type":"expect".*"ok":true/);
  });

  it('--record to a bad path is a usage error before connecting', async () => {
    const server = await service('whole');
    const r = await runCli([
      'connect',
      '127.0.0.1',
      String(server.port),
      '--json',
      '--record',
      '/nonexistent-dir/x.srs',
    ]);
    const connections = server.connections();
    await server.close();
    expect(r.code).toBe(2);
    expect(r.stderr + r.stdout.toString()).toContain('record: cannot write /nonexistent-dir/x.srs: ENOENT');
    expect(connections).toBe(0);
  });
});

describe('recording a listener', () => {
  it('records `listen` and the client exchange; the replay listens and expects the client again', async () => {
    const port = await freePort();
    const file = `${dir.dir}/listen.srs`;
    const p = new CliProcess(['listen', '127.0.0.1', String(port), '--json', '--record', file]);
    await p.waitForStdout((o) => o.includes('"type":"listening"'));
    /** Says hello, waits for the welcome, says bye (half-close); resolves with what it got once closed. */
    const client = async (afterBye: () => void = () => {}) => {
      const c = net.connect(port, '127.0.0.1');
      c.setNoDelay(true);
      const got: Buffer[] = [];
      c.on('data', (d: Buffer) => got.push(d));
      const closed = new Promise((r) => c.once('close', r));
      await new Promise((r) => c.once('connect', r));
      c.write('hello server\n');
      await waitFor(() => Buffer.concat(got).includes('welcome'));
      c.end('bye\n');
      afterBye();
      await closed;
      return Buffer.concat(got).toString();
    };
    // Like nc, the --json session closes its side once its standard input has ended.
    const exchange = client(() => p.child.stdin.end());
    await p.waitForStdout((o) => o.includes('"dir":"in"'));
    p.child.stdin.write('/send welcome\\n\n');
    expect(await exchange).toBe('welcome\n');
    expect((await p.exited).code).toBe(0);
    const script = readFileSync(file, 'utf8');
    expect(script).toContain(
      `listen 127.0.0.1 ${port}\nexpect "hello server\\n"\nsend "welcome\\n"\nexpect "bye\\n"\nexpect eof\n`,
    );

    const replay = new CliProcess(['run', file]);
    await replay.waitForStdout((o) => o.includes('listening on TCP'));
    expect(await client()).toBe('welcome\n');
    const r = await replay.exited;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  }, 20_000);
});

describe('recording through the proxy', () => {
  it("records the client's side; the replay plays the client against the upstream", async () => {
    const upstream = await service('whole');
    const port = await freePort();
    const file = `${dir.dir}/proxy.srs`;
    const p = new CliProcess([
      'proxy',
      String(port),
      '127.0.0.1',
      String(upstream.port),
      '--json',
      '--record',
      file,
    ]);
    await p.waitForStdout((o) => o.includes('"type":"listening"'));
    const c = net.connect(port, '127.0.0.1');
    let got = '';
    c.on('data', (d: Buffer) => {
      got += d.toString();
      if (got.endsWith('ready\r\n')) c.write('HELP\n');
      if (got.endsWith('end\r\n')) c.write('QUIT\n');
    });
    await new Promise((resolve) => c.once('end', resolve));
    c.end();
    await waitFor(() => readFileSync(file, 'utf8').includes('shutdown write'));
    p.child.stdin.end();
    p.kill();
    const script = readFileSync(file, 'utf8');
    expect(script).toContain(
      [
        `connect 127.0.0.1 ${upstream.port}`,
        'expect "220 service v1 ready\\r\\n"',
        'send "HELP\\n"',
        'expect "commands: HELP BIN QUIT (v1)\\r\\n"',
        'expect "end\\r\\n"',
        'send "QUIT\\n"',
        'expect "bye\\r\\n"',
        'expect eof',
        'shutdown write',
      ].join('\n'),
    );
    const r = await run([file]);
    await upstream.close();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  }, 20_000);
});

async function waitFor(predicate: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
