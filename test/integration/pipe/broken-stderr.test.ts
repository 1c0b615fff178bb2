import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { BIN, sleep } from '../../helpers/cli.js';
import { parseJsonEvents } from '../../helpers/json-events.js';
import { collect, connectTo, freePort, tcpServer } from '../../helpers/servers.js';

/**
 * Messages are best-effort: with standard error closed (`2>&-`), a pipe whose reader has exited
 * (EPIPE), or a full device (`2>/dev/full`), sockrepl goes on serving and exits with the code it
 * documents, as ncat does. Each mode is run with each kind of broken standard error.
 */

const cleanups = cleanupAfterEach();
const dir = mkdtempSync(join(tmpdir(), 'sockrepl-stderr-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Broken = 'closed' | 'reader-gone' | 'full';
const KINDS: Broken[] = ['closed', 'reader-gone', 'full'];

interface Run {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  exited: Promise<number | null>;
}

/** Runs bin/sockrepl.js with its standard error broken the given way. */
function run(args: string[], broken: Broken): Run {
  const redirect = broken === 'closed' ? '2>&-' : broken === 'full' ? '2>/dev/full' : '';
  const child = spawn('sh', ['-c', `exec "$0" "$@" ${redirect}`, process.execPath, BIN, ...args], {
    stdio: 'pipe',
  });
  // The reader of standard error goes away before sockrepl writes a word: every write is EPIPE.
  if (broken === 'reader-gone') child.stderr.destroy();
  else child.stderr.resume();
  child.stdin.on('error', () => {});
  const out: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  cleanups.push(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return { child, stdout: () => Buffer.concat(out).toString(), exited };
}

/** Connects once the listener is up (no -v line to read: standard error is broken). */
async function connectWhenUp(port: number, host = '127.0.0.1'): Promise<net.Socket> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await connectTo(port, host);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(20);
    }
  }
}

/** A client that sends a line, then resets the connection (the listener reports it on stderr). */
async function sendThenReset(port: number, text: string, seen: () => boolean): Promise<void> {
  const c = await connectWhenUp(port);
  c.write(text);
  await until(seen);
  c.resetAndDestroy();
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

describe.each(KINDS)('standard error %s', (broken) => {
  it('listen -k -v goes on serving after clients reset', async () => {
    const port = await freePort();
    const p = run(['listen', '-k', '-v', '127.0.0.1', String(port)], broken);
    await sendThenReset(port, 'one\n', () => p.stdout().includes('one\n'));
    await sendThenReset(port, 'two\n', () => p.stdout().includes('two\n'));
    const last = await connectWhenUp(port);
    last.end('three\n');
    await until(() => p.stdout().includes('three\n'));
    expect(p.child.exitCode).toBeNull();
  });

  it('listen --broker -v goes on relaying after a client resets', async () => {
    const port = await freePort();
    const p = run(['listen', '--broker', '-v', '127.0.0.1', String(port)], broken);
    await sendThenReset(port, 'one\n', () => p.stdout().includes('one\n'));
    const a = await connectWhenUp(port);
    const b = await connectWhenUp(port);
    const atB = collect(b);
    await sleep(100);
    a.end('to b\n');
    await until(() => p.stdout().includes('to b\n'));
    b.end();
    expect((await atB).data.toString()).toBe('to b\n');
    expect(p.child.exitCode).toBeNull();
  });

  it('listen without -k exits 0 after its client, and 1 after a reset', async () => {
    const port = await freePort();
    const ok = run(['listen', '-v', '127.0.0.1', String(port)], broken);
    (await connectWhenUp(port)).end('bye\n');
    expect(await ok.exited).toBe(0);
    expect(ok.stdout()).toBe('bye\n');

    const port2 = await freePort();
    const reset = run(['listen', '-v', '127.0.0.1', String(port2)], broken);
    await sendThenReset(port2, 'x\n', () => reset.stdout().includes('x\n'));
    expect(await reset.exited).toBe(1);
  });

  it('a usage error exits 2', async () => {
    const p = run(['listen', '--no-such-flag', '0'], broken);
    expect(await p.exited).toBe(2);
    const q = run(['listen', '--max-conns', 'many', '0'], broken);
    expect(await q.exited).toBe(2);
  });

  it('connect: a refused connection exits 1, data passes with -x to standard error', async () => {
    const refused = run(['127.0.0.1', String(await freePort())], broken);
    refused.child.stdin.end();
    expect(await refused.exited).toBe(1);

    const server = await tcpServer((s) => s.on('data', (d) => s.end(d)));
    cleanups.push(() => server.close());
    const p = run(['-x', '-N', '127.0.0.1', String(server.port)], broken);
    p.child.stdin.end('echo me\n');
    expect(await p.exited).toBe(0);
    expect(p.stdout()).toBe('echo me\n');
  });

  it('--json: events go on after a client resets; a refused connect exits 1', async () => {
    const port = await freePort();
    const p = run(['listen', '--json', '-k', '-v', '127.0.0.1', String(port)], broken);
    await sendThenReset(port, 'one\n', () => /"text":"one\\n"/.test(p.stdout()));
    await until(() => p.stdout().includes('"reason":"reset"'));
    const c = await connectWhenUp(port);
    c.end('two\n');
    await until(() => /"text":"two\\n"/.test(p.stdout()));
    expect(p.child.exitCode).toBeNull();

    const refused = run(['--json', '127.0.0.1', String(await freePort())], broken);
    refused.child.stdin.end();
    expect(await refused.exited).toBe(1);
    expect(refused.stdout()).toMatch(/"type":"error".*ECONNREFUSED/);
    expect(parseJsonEvents(refused.stdout())).toEqual([expect.objectContaining({ code: 'ECONNREFUSED' })]);
    expect(
      parseJsonEvents(p.stdout())
        .filter((e) => e.type === 'close')
        .map((e) => e.reason),
    ).toContain('reset');
  });

  it('proxy -v relays after a client resets, and exits 0 on SIGTERM', async () => {
    const upstream = await tcpServer((s) => {
      s.on('data', (d) => s.write(d));
      s.on('end', () => s.end());
    });
    cleanups.push(() => upstream.close());
    const port = await freePort();
    const p = run(['proxy', '-v', String(port), '127.0.0.1', String(upstream.port)], broken);
    const first = await connectWhenUp(port);
    first.write('one\n');
    await until(() => upstream.connections.length === 1);
    first.resetAndDestroy();
    const second = await connectWhenUp(port);
    const echoed = collect(second);
    second.write('two\n');
    await until(() => upstream.connections.length === 2);
    await sleep(100);
    second.end();
    expect((await echoed).data.toString()).toBe('two\n');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });
});

describe('a diagnostic file that fails', () => {
  it('-x, --record and --pcap to a full device: the data path goes on, each failure said once', async () => {
    const server = await tcpServer((s) => s.on('data', (d) => s.write(d)));
    cleanups.push(() => server.close());
    const errFile = join(dir, 'err.txt');
    const child = spawn(
      'sh',
      [
        '-c',
        `exec "$0" "$@" 2>${errFile}`,
        process.execPath,
        BIN,
        '-x',
        '/dev/full',
        '--record',
        '/dev/full',
        '--pcap',
        '/dev/full',
        '-q',
        '1',
        '127.0.0.1',
        String(server.port),
      ],
      { stdio: 'pipe' },
    );
    cleanups.push(() => child.kill('SIGKILL'));
    const out: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stdin.write('first\n');
    await until(() => Buffer.concat(out).toString() === 'first\n');
    child.stdin.end('second\n');
    expect(await exited).toBe(0);
    expect(Buffer.concat(out).toString()).toBe('first\nsecond\n');
    const said = readFileSync(errFile, 'utf8');
    expect(said.match(/--hex \/dev\/full: ENOSPC: the hex dump stops here/g)).toHaveLength(1);
    expect(said.match(/record: \/dev\/full: ENOSPC: the recording stops here/g)).toHaveLength(1);
    expect(said.match(/pcap.*\/dev\/full.*ENOSPC/g)).toHaveLength(1);
  });
});
