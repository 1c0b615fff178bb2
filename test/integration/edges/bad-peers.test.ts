import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import type * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { CliProcess, type CliResult } from '../../helpers/cli.js';
import { collect, connectTo, tcpServer } from '../../helpers/servers.js';
import { until } from './until.js';

/**
 * The bad-peer matrix (issue 16), in the style of ncat's EOF tests: each case asserts the exit
 * code, the message and what was delivered, byte for byte.
 */
const cleanups = cleanupAfterEach();
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** The status a shell reports: the exit code, or 128 + the signal's number. */
const status = (r: CliResult) =>
  r.code ?? 128 + ({ SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as Record<string, number>)[r.signal ?? '']!;

function start(args: string[]): CliProcess {
  const p = new CliProcess(args);
  cleanups.push(() => p.kill());
  return p;
}

async function server(handler: (s: net.Socket) => void) {
  const srv = await tcpServer(handler);
  cleanups.push(() => srv.close());
  return srv;
}

describe('bad peers: pipe mode', () => {
  it('RST mid-stream: exit 1, one line naming ECONNRESET, every byte before the RST written', async () => {
    const before = randomBytes(1 << 20);
    let peer: net.Socket | undefined;
    const srv = await server((s) => {
      peer = s;
      s.write(before);
    });
    const p = start(['127.0.0.1', String(srv.port)]);
    // The RST comes once every byte before it has reached us: a reset racing the connect would be
    // reported as a failed connect, and the kernel drops what it held (a different case).
    await p.waitForStdout((out) => out.length === before.length, 30_000);
    peer!.resetAndDestroy();
    const r = await p.exited;
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^sockrepl: recv 127\.0\.0\.1:\d+: ECONNRESET: the peer reset the connection/);
    expect(sha(r.stdout)).toBe(sha(before));
  }, 60_000);

  it('the peer half-closes first (-N): we still deliver all of standard input, then FIN, exit 0', async () => {
    const data = randomBytes(4 << 20);
    let got: Promise<{ data: Buffer }> | undefined;
    const srv = await server((s) => {
      got = collect(s);
      s.end('bye\n');
    });
    const p = start(['-N', '-v', '127.0.0.1', String(srv.port)]);
    await p.waitForStderr(/Peer sent FIN; still sending/, 20_000);
    p.child.stdin.end(data);
    const r = await p.exited;
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe('bye\n');
    expect(sha((await got!).data)).toBe(sha(data));
  }, 60_000);

  it('we half-close first (-N): the peer answers after our FIN and we get every byte, exit 0', async () => {
    const reply = randomBytes(2 << 20);
    const srv = await server((s) => {
      s.resume();
      s.on('end', () => s.end(reply));
    });
    const p = start(['-N', '127.0.0.1', String(srv.port)]);
    p.child.stdin.end('request\n');
    const r = await p.exited;
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(sha(r.stdout)).toBe(sha(reply));
  }, 60_000);

  it('the peer is killed with SIGKILL mid-stream: its kernel closes the socket; exit 0 with what it sent', async () => {
    // A peer process of our own: a node one-liner that writes a line, then waits to be killed.
    const peer = spawn(process.execPath, [
      '-e',
      `const s=require('net').createServer(c=>{c.write('alive\\n')}).listen(0,'127.0.0.1',()=>console.log(s.address().port))`,
    ]);
    cleanups.push(() => peer.kill('SIGKILL'));
    const port = await new Promise<number>((resolve) =>
      peer.stdout.once('data', (d) => resolve(Number(String(d)))),
    );
    const p = start(['127.0.0.1', String(port)]);
    await p.waitForStdout((out) => out.toString() === 'alive\n', 20_000);
    peer.kill('SIGKILL');
    const r = await p.exited;
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe('alive\n');
  }, 60_000);

  it('SIGSTOP on the peer with -i: the idle timer closes the connection, exit 0, "idle timeout"', async () => {
    const peer = spawn(process.execPath, [
      '-e',
      `const s=require('net').createServer(c=>{c.write('hi\\n')}).listen(0,'127.0.0.1',()=>console.log(s.address().port))`,
    ]);
    cleanups.push(() => {
      peer.kill('SIGCONT');
      peer.kill('SIGKILL');
    });
    const port = await new Promise<number>((resolve) =>
      peer.stdout.once('data', (d) => resolve(Number(String(d)))),
    );
    const p = start(['-v', '-i', '500ms', '127.0.0.1', String(port)]);
    await p.waitForStdout((out) => out.toString() === 'hi\n', 20_000);
    peer.kill('SIGSTOP');
    const r = await p.exited;
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/closed: idle timeout/);
  }, 60_000);

  it('a peer that never reads: standard input waits (bounded memory), and SIGTERM exits 143', async () => {
    const srv = await server((s) => s.pause());
    const p = start(['127.0.0.1', String(srv.port)]);
    await until(() => srv.connections.length === 1, 'the connection');
    // 64 MiB offered; the peer reads none of it, so most stays in our stdin pipe.
    const block = Buffer.alloc(1 << 20, 0x61);
    for (let i = 0; i < 64 && p.child.stdin.write(block); i++) {}
    await until(() => p.child.stdin.writableNeedDrain, 'standard input to fill');
    p.child.kill('SIGTERM');
    const r = await p.exited;
    expect(status(r)).toBe(143);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  }, 60_000);

  it('SIGINT exits 130 after writing what was read', async () => {
    const srv = await server((s) => s.write('partial\n'));
    const p = start(['127.0.0.1', String(srv.port)]);
    await p.waitForStdout((out) => out.toString() === 'partial\n', 20_000);
    p.child.kill('SIGINT');
    const r = await p.exited;
    expect(status(r)).toBe(130);
    expect(r.stdout.toString()).toBe('partial\n');
  }, 60_000);
});

describe('bad peers: listen -k', () => {
  it('slowloris (clients that connect and say nothing) does not stop others being served', async () => {
    const p = start(['listen', '-k', '-v', '127.0.0.1', '0']);
    const port = Number((await p.waitForStderr(/Listening on \S+ (\d+)/, 30_000))[1]);
    const idle: net.Socket[] = [];
    for (let i = 0; i < 50; i++) idle.push(await connectTo(port));
    cleanups.push(() => {
      for (const s of idle) s.destroy();
    });
    const c = await connectTo(port);
    c.end('served anyway\n');
    await p.waitForStdout((out) => out.toString() === 'served anyway\n', 20_000);
    expect(p.child.exitCode).toBeNull();
  }, 60_000);
});

describe('bad peers: proxy', () => {
  it('the upstream resets mid-stream: the client gets every byte before it, then ECONNRESET', async () => {
    let upstream: net.Socket | undefined;
    const srv = await server((s) => {
      upstream = s;
      s.write('before\n');
    });
    const px = new CliProcess(['proxy', '0', '127.0.0.1', String(srv.port), '-s', '127.0.0.1', '-v']);
    cleanups.push(() => px.kill());
    const c = await connectTo(Number((await px.waitForStderr(/Listening on \S+ (\d+)/, 30_000))[1]));
    const got = collect(c);
    // Mid-stream: the reset comes after the client has had the first bytes.
    let seen = '';
    c.on('data', (d: Buffer) => {
      seen += d;
    });
    await until(() => seen === 'before\n', 'the bytes before the reset');
    upstream!.resetAndDestroy();
    const { data, error } = await got;
    expect(data.toString()).toBe('before\n');
    expect(error?.code).toBe('ECONNRESET');
    await px.waitForStderr(/upstream reset the connection \(RST\); the client is reset too/, 30_000);
  }, 60_000);
});
