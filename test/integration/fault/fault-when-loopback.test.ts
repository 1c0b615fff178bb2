import * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { CliProcess } from '../../helpers/cli.js';
import { startServer, type TestServer } from '../../helpers/session-fixtures.js';

/** Content-triggered faults (`when=`) on real loopback sockets: framed sessions and the proxy. */

const cleanups = cleanupAfterEach();

async function serve(): Promise<TestServer> {
  const s = await startServer();
  cleanups.push(() => s.close());
  return s;
}

const jsonLines = (out: Buffer) =>
  out
    .toString()
    .trim()
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const hex = (text: string) => Buffer.from(text).toString('hex');

/** A client connection to `port`, with what it received and how it ended. */
async function client(port: number) {
  const s = net.connect(port, '127.0.0.1');
  const got: Buffer[] = [];
  let error: NodeJS.ErrnoException | undefined;
  s.on('data', (d) => got.push(d));
  const ended = new Promise<void>((resolve) => {
    s.on('error', (e) => {
      error = e;
      resolve();
    });
    s.on('close', () => resolve());
  });
  await new Promise<void>((r, j) => s.once('connect', r).once('error', j));
  cleanups.push(() => s.destroy());
  return { socket: s, got, ended, error: () => error };
}

describe('when= with framing on matches whole messages (--json, real sockets)', () => {
  it('reset,when=/LOGIN/ fires on a message split across two TCP writes', async () => {
    const server = await serve();
    const p = new CliProcess([
      '--json',
      '--frame',
      'lines',
      '--fault',
      'reset,when=/LOGIN/,dir=in',
      '127.0.0.1',
      String(server.port),
    ]);
    cleanups.push(() => p.kill());
    await p.waitForStdout((o) => o.includes('"type":"open"'), 30_000);
    const peer = await server.nextSocket();
    peer.write('hello\nLO');
    // The first message came through whole: the partial one is held by the fault's framer.
    await p.waitForStdout((o) => o.includes(`"hex":"${hex('hello\n')}"`), 30_000);
    expect(p.stdout.toString()).not.toMatch(/"type":"(fault|close)"/);
    peer.write('GIN alice\n');
    await p.waitForStdout((o) => o.includes('"type":"close"'), 30_000);
    p.child.stdin.end('/quit\n');
    const done = await p.exited;
    expect(done.code).toBe(0);
    const lines = jsonLines(p.stdout);
    // The reset, and the LOGIN message it kept from going on (12 bytes), both by fault #1.
    const faults = lines.filter((l) => l.type === 'fault');
    expect(faults.filter((l) => l.action === 'reset')).toEqual([
      expect.objectContaining({ fault: 'reset', id: 1, conn: 1 }),
    ]);
    for (const f of faults) expect(f).toMatchObject({ fault: 'reset', id: 1 });
    expect(faults.filter((l) => l.kind === 'dropped').map((l) => l.action)).toEqual(['dropped 12 bytes']);
    expect(lines.find((l) => l.type === 'close')).toMatchObject({ conn: 1 });
    // reset acts as it starts: the LOGIN message never reached the session.
    const data = lines.filter((l) => l.type === 'data' && l.dir === 'in');
    expect(data.map((l) => l.hex)).toEqual([hex('hello\n')]);
  }, 60_000);
});

describe('when= through the proxy', () => {
  it('pipe-mode proxy: reset,when=/X/ fires only on the chunk with X; both legs are reset', async () => {
    const server = await serve();
    const p = new CliProcess([
      'proxy',
      '0',
      '127.0.0.1',
      String(server.port),
      '-s',
      '127.0.0.1',
      '-v',
      '--fault',
      'reset,when=/X/,dir=in',
    ]);
    cleanups.push(() => p.kill());
    const port = await p.listeningPort();
    const c = await client(port);
    c.socket.write('hello\n');
    await server.waitFor('hello\n', 30_000);
    c.socket.write('no match either\n');
    await server.waitFor('no match either\n', 30_000);
    expect(p.stderr).not.toMatch(/fault: connection/);
    c.socket.write('X marks the spot\n');
    await c.ended;
    await p.waitForStderr(/^fault: connection 1: #1 reset: reset$/m, 30_000);
    expect(c.error()?.code).toBe('ECONNRESET');
    const upstream = server.sockets[0]!;
    if (!upstream.closed) await new Promise((r) => upstream.once('close', r));
    expect(Buffer.concat(server.received).toString()).toBe('hello\nno match either\n');
    // The relay goes on serving: it ends on SIGTERM with exit 0.
    p.child.kill('SIGTERM');
    expect((await p.exited).code).toBe(0);
    expect(p.stderr.match(/^fault: connection \d+: #1 reset: reset$/gm)).toHaveLength(1);
    expect(p.stderr).toMatch(/^fault: connection 1: #1 reset in: dropped 17 bytes$/m);
  }, 60_000);

  it('--json proxy with --frame lines: the fault fires on the whole message, with its event', async () => {
    const server = await serve();
    const p = new CliProcess([
      'proxy',
      '0',
      '127.0.0.1',
      String(server.port),
      '-s',
      '127.0.0.1',
      '--json',
      '--frame',
      'lines',
      '--fault',
      'reset,when=/LOGIN/,dir=in',
    ]);
    cleanups.push(() => p.kill());
    await p.waitForStdout((o) => o.includes('"type":"listening"'), 30_000);
    const port = Number((jsonLines(p.stdout).find((l) => l.type === 'listening') as { port: number }).port);
    const c = await client(port);
    c.socket.write('hi\nLO');
    await server.waitFor('hi\n', 30_000);
    c.socket.write('GIN bob\n');
    await c.ended;
    await p.waitForStdout((o) => o.includes('"type":"fault"'), 30_000);
    p.child.stdin.end('/quit\n');
    expect((await p.exited).code).toBe(0);
    const lines = jsonLines(p.stdout);
    const faults = lines.filter((l) => l.type === 'fault');
    expect(faults.filter((l) => l.action === 'reset')).toHaveLength(1);
    // The whole message was what the reset kept back: LOGIN bob and its newline, 10 bytes.
    expect(faults.filter((l) => l.kind === 'dropped').map((l) => l.action)).toEqual(['dropped 10 bytes']);
    expect(Buffer.concat(server.received).toString()).toBe('hi\n');
  }, 60_000);
});
