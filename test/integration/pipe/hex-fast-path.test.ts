import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BULK_BYTES } from '../../../src/pipe/bulk-upgrade.js';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { BIN, CliProcess, sleep } from '../../helpers/cli.js';
import { connectTo, tcpServer } from '../../helpers/servers.js';

/**
 * -x on the fast path: the relay workers dump each chunk they move (pipe/hex-relay-tap.ts) and
 * the main thread writes the dumps. Given the same chunks, the dump is byte for byte the one the
 * ordinary path writes (SOCKREPL_FAST_PATH=0); a lockstep exchange makes the chunks the same in
 * both runs (each message is one write, and the next waits until it has arrived).
 */
const cleanups = cleanupAfterEach();
const WORKER_DUMPS = /on a worker thread.*-x/;
const TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g;
const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Fixed pseudo-random bytes: the same in every run. */
function fixedBytes(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const e = Buffer.from('é'); // two bytes: each direction splits one between two chunks
const steps: Array<{ from: 'client' | 'stdin'; bytes: Buffer }> = [
  { from: 'client', bytes: Buffer.from('hello from the client\n') },
  { from: 'stdin', bytes: Buffer.from('hello from standard input\n') },
  { from: 'client', bytes: Buffer.concat([Buffer.from('caf'), e.subarray(0, 1)]) },
  { from: 'client', bytes: Buffer.concat([e.subarray(1), Buffer.from(' au lait 界\n')]) },
  { from: 'stdin', bytes: Buffer.concat([Buffer.from('na'), e.subarray(0, 1)]) },
  { from: 'stdin', bytes: Buffer.concat([e.subarray(1), Buffer.from('ve\n')]) },
  { from: 'client', bytes: Buffer.from(Array.from({ length: 256 }, (_, i) => i)) },
  { from: 'stdin', bytes: fixedBytes(3000, 7) },
  { from: 'client', bytes: fixedBytes(5000, 11) },
];

/** Waits until `total` bytes came in on `socket` (bounded by 20 s). */
function received(socket: Socket, got: { bytes: number }, total: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${got.bytes} of ${total} bytes came`)), 20_000);
    const check = () => {
      if (got.bytes < total) return;
      clearTimeout(timer);
      socket.off('data', check);
      resolve();
    };
    socket.on('data', check);
    check();
  });
}

/** Waits until `cond` holds (bounded by 20 s). */
async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`never came: ${what}`);
    await sleep(10);
  }
}

/** Runs the exchange through `sockrepl listen ARGS`; resolves with stderr and the client's bytes. */
async function exchange(args: string[], env: NodeJS.ProcessEnv): Promise<{ stderr: string; stdout: Buffer }> {
  const p = new CliProcess(['listen', ...args, '127.0.0.1', '0'], { SOCKREPL_DEBUG: '1', ...env });
  cleanups.push(() => p.kill());
  const client = await connectTo(await p.listeningPort());
  cleanups.push(() => client.destroy());
  const file = args[args.indexOf('--hex') + 1];
  const dumpText = () => (file && existsSync(file) ? readFileSync(file, 'utf8') : p.stderr);
  const got = { bytes: 0 };
  client.on('data', (d: Buffer) => {
    got.bytes += d.length;
  });
  let toStdout = 0;
  let toClient = 0;
  let headers = 0;
  for (const step of steps) {
    if (step.from === 'client') {
      client.write(step.bytes);
      toStdout += step.bytes.length;
      await p.waitForStdout((out) => out.length === toStdout);
    } else {
      p.child.stdin.write(step.bytes);
      toClient += step.bytes.length;
      await received(client, got, toClient);
    }
    // Each direction's dumps come from its own thread: the next step waits for this one's, so
    // that the two runs write them in the same order.
    headers++;
    await until(() => (dumpText().match(/^[<>] /gm)?.length ?? 0) === headers, `dump ${headers}`);
  }
  p.child.stdin.end();
  client.end();
  const r = await p.exited;
  expect(r.code).toBe(0);
  return { stderr: r.stderr, stdout: r.stdout };
}

/** The dump's lines (headers, hex lines, squeezed `*`), without -v's and debug lines. */
const dumpOnly = (stderr: string) =>
  stderr
    .split('\n')
    .filter((line) => /^[<>] |^[0-9a-f]{8} {2}|^\*$/.test(line))
    .join('\n')
    .replace(TIME, 'TIME');

/** The bytes a direction's dumps show, in order (no repeated lines to squeeze: random data). */
function dumped(dump: string, dir: '<' | '>'): Buffer {
  const bytes: number[] = [];
  let mine = false;
  for (const line of dump.split('\n')) {
    if (/^[<>] /.test(line)) mine = line.startsWith(dir);
    else if (mine && /^[0-9a-f]{8} {2}/.test(line))
      for (const hex of line.slice(10, 59).match(/[0-9a-f]{2}/g) ?? []) bytes.push(Number.parseInt(hex, 16));
  }
  return Buffer.from(bytes);
}

describe.runIf(process.platform === 'linux')('-x with the relay workers', () => {
  it('the dump to standard error is the ordinary path one, byte for byte', async () => {
    const fast = await exchange(['-v', '-x'], {});
    const ordinary = await exchange(['-v', '-x'], { SOCKREPL_FAST_PATH: '0' });
    expect(fast.stderr).toMatch(WORKER_DUMPS);
    expect(ordinary.stderr).not.toMatch(/worker thread/);
    expect(fast.stdout.equals(ordinary.stdout)).toBe(true);
    expect(dumpOnly(fast.stderr)).toBe(dumpOnly(ordinary.stderr));
    // A character split between two chunks is drawn whole in the chunk that completes it.
    expect(fast.stderr).toMatch(/^00000000 {2}a9 20 61 75 .*\|é au lait 界/m);
    expect(fast.stderr).toMatch(/^00000000 {2}a9 76 65 0a +\|éve\.\|/m);
  });

  it('the dump to a file (--hex FILE) is the ordinary path one, byte for byte', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sockrepl-hex-fast-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const files = { fast: join(dir, 'fast.txt'), ordinary: join(dir, 'ordinary.txt') };
    const fast = await exchange(['-v', '--hex', files.fast], {});
    await exchange(['-v', '--hex', files.ordinary], { SOCKREPL_FAST_PATH: '0' });
    expect(fast.stderr).toMatch(WORKER_DUMPS);
    const text = (path: string) => readFileSync(path, 'utf8').replace(TIME, 'TIME');
    expect(text(files.fast)).toBe(text(files.ordinary));
    expect(text(files.fast)).toMatch(/^< TIME conn=1 length=5000$/m);
  });

  it('a client moving a bulk transfer onto the workers: every byte dumped once, in order, both ways', async () => {
    const payload = randomBytes(3 * BULK_BYTES + 12_345);
    const srv = await tcpServer((s) => s.pipe(s));
    cleanups.push(() => srv.close());
    const p = new CliProcess(['-N', '-x', '127.0.0.1', String(srv.port)], { SOCKREPL_DEBUG: '1' });
    cleanups.push(() => p.kill());
    p.child.stdin.end(payload);
    const r = await p.exited;
    expect(r.code).toBe(0);
    expect(sha(r.stdout)).toBe(sha(payload));
    expect(r.stderr).toMatch(
      /received bytes go to stdout on a worker thread, copied \(not spliced\) so that -x/,
    );
    expect(r.stderr).toMatch(/stdin goes to the socket on a worker thread, which hands each chunk to -x/);
    expect(sha(dumped(r.stderr, '>'))).toBe(sha(payload));
    expect(sha(dumped(r.stderr, '<'))).toBe(sha(payload));
  });

  it('a slow reader of the dump: the worker waits for it, and every byte is dumped once', async () => {
    const payload = randomBytes(6 * BULK_BYTES);
    const p = spawn(process.execPath, [BIN, 'listen', '-v', '-x', '127.0.0.1', '0'], {
      env: { ...process.env, SOCKREPL_DEBUG: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanups.push(() => p.exitCode === null && p.kill('SIGKILL'));
    const out: Buffer[] = [];
    p.stdout.on('data', (d: Buffer) => out.push(d));
    // Standard error is read a piece at a time with a pause between: its pipe is full most of the time.
    const err: Buffer[] = [];
    p.stderr.on('data', (d: Buffer) => {
      err.push(d);
      p.stderr.pause();
      setTimeout(() => p.stderr.resume(), 2);
    });
    const stderr = () => Buffer.concat(err).toString();
    await until(() => /Listening on \S+ \d+/.test(stderr()), 'listening');
    const port = Number(/Listening on \S+ (\d+)/.exec(stderr())![1]);
    const client = await connectTo(port);
    cleanups.push(() => client.destroy());
    client.end(payload);
    const code = await new Promise((resolve) => p.on('close', resolve));
    expect(code).toBe(0);
    expect(sha(Buffer.concat(out))).toBe(sha(payload));
    expect(stderr()).toMatch(WORKER_DUMPS);
    expect(sha(dumped(stderr(), '<'))).toBe(sha(payload));
  });
});
