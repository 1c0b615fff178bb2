import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BULK_BYTES } from '../../../src/pipe/bulk-upgrade.js';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { BIN, CliProcess } from '../../helpers/cli.js';
import { connectTo, tcpServer } from '../../helpers/servers.js';

/**
 * A client connection starts on the ordinary path and moves a direction onto a relay worker once
 * BULK_BYTES have gone that way (bulk-upgrade.ts). Whatever the size, around the threshold and
 * past it, every byte arrives once and in order, both ways; a small transfer starts no thread.
 */
const cleanups = cleanupAfterEach();
const DEBUG = { SOCKREPL_DEBUG: '1' };
const SPLICED = /received bytes go to stdout by splice\(2\) on a worker thread/;
const STDIN_RELAYED = /stdin goes to the socket on a worker thread/;
const TRACE = fileURLToPath(new URL('../../fixtures/trace-imports.mjs', import.meta.url));
const NO_KOFFI = {
  NODE_OPTIONS: `--require ${fileURLToPath(new URL('../../fixtures/no-koffi.cjs', import.meta.url))}`,
};

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Echoes every byte back, and FIN after the client's. */
async function echoServer() {
  const srv = await tcpServer((s) => {
    s.pipe(s);
  });
  cleanups.push(() => srv.close());
  return srv;
}

describe.runIf(process.platform === 'linux')('bulk transfers move onto the workers', () => {
  for (const size of [BULK_BYTES - 1, BULK_BYTES, BULK_BYTES + 1, 3 * BULK_BYTES + 7]) {
    it(`${size} bytes through an echo server with -N: the same bytes back, in order`, async () => {
      const srv = await echoServer();
      const payload = randomBytes(size);
      const p = new CliProcess(['-N', '127.0.0.1', String(srv.port)], DEBUG);
      cleanups.push(() => p.kill());
      p.child.stdin.end(payload);
      const r = await p.exited;
      expect(r.code).toBe(0);
      expect(r.stdout.length).toBe(size);
      expect(sha(r.stdout)).toBe(sha(payload));
      // The first BULK_BYTES go the ordinary way; only a transfer that goes past them moves.
      if (size > BULK_BYTES) {
        expect(r.stderr).toMatch(STDIN_RELAYED);
        expect(r.stderr).toMatch(SPLICED);
      } else if (size < BULK_BYTES) {
        expect(r.stderr).not.toMatch(STDIN_RELAYED);
        expect(r.stderr).not.toMatch(SPLICED);
      }
    });
  }

  it('a slow reader of standard output: what Node queued goes out before the worker writes', async () => {
    const payload = randomBytes(6 * BULK_BYTES);
    const srv = await tcpServer((s) => s.end(payload));
    cleanups.push(() => srv.close());
    // The reader takes 16 KiB at a time with a pause between: standard output is full whenever
    // sockrepl writes, so the move has to wait for Node's queue to drain.
    const reader = `const h = require('crypto').createHash('sha256');
      process.stdin.on('data', (d) => { h.update(d); process.stdin.pause(); setTimeout(() => process.stdin.resume(), 1); });
      process.stdin.on('end', () => console.log(h.digest('hex')));`;
    const child = spawn(
      'bash',
      ['-c', `"${process.execPath}" "${BIN}" -d 127.0.0.1 ${srv.port} | "${process.execPath}" -e "$READER"`],
      { env: { ...process.env, ...DEBUG, READER: reader }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    await new Promise((resolve) => child.on('close', resolve));
    expect(stderr).toMatch(SPLICED);
    expect(stdout.trim()).toBe(sha(payload));
  });

  it('a one-shot transfer starts no worker thread and loads no native library', async () => {
    const srv = await tcpServer((s) => {
      s.resume();
      s.on('end', () => s.end('ok\n'));
    });
    cleanups.push(() => srv.close());
    const child = spawn(process.execPath, ['--import', TRACE, BIN, '-N', '127.0.0.1', String(srv.port)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdin.end('hi\n');
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(stdout).toBe('ok\n');
    const loaded = stderr.split('\n').filter((l) => l.startsWith('LOADED '));
    expect(loaded.length).toBe(1); // the main thread's list: no worker thread reported its own
    expect(loaded[0]).toContain('/modes/pipe-connect.');
    expect(loaded[0]).not.toContain('fd-relay-worker.js');
    const required = stderr.split('\n').find((l) => l.startsWith('REQUIRED '));
    expect(required).toBeDefined();
    expect(required).not.toMatch(/koffi/);
  });

  it('without koffi (no build for this platform) a bulk transfer stays on the ordinary path, whole', async () => {
    const srv = await echoServer();
    const payload = randomBytes(3 * BULK_BYTES + 7);
    const p = new CliProcess(['-N', '127.0.0.1', String(srv.port)], { ...DEBUG, ...NO_KOFFI });
    cleanups.push(() => p.kill());
    p.child.stdin.end(payload);
    const r = await p.exited;
    expect(r.code).toBe(0);
    expect(sha(r.stdout)).toBe(sha(payload));
    expect(r.stderr).not.toMatch(STDIN_RELAYED);
    expect(r.stderr).not.toMatch(SPLICED);
  });

  it('without koffi a listener receives a bulk transfer on the ordinary path, whole', async () => {
    const payload = randomBytes(3 * BULK_BYTES);
    const p = new CliProcess(['listen', '-v', '127.0.0.1', '0'], { ...DEBUG, ...NO_KOFFI });
    cleanups.push(() => p.kill());
    const client = await connectTo(await p.listeningPort());
    cleanups.push(() => client.destroy());
    client.end(payload);
    const r = await p.exited;
    expect(r.code).toBe(0);
    expect(sha(r.stdout)).toBe(sha(payload));
    expect(r.stderr).not.toMatch(SPLICED);
  });

  it('without koffi a listen -k client sending in bulk is served on the ordinary path, whole', async () => {
    const payload = randomBytes(3 * BULK_BYTES);
    const p = new CliProcess(['listen', '-k', '-v', '127.0.0.1', '0'], { ...DEBUG, ...NO_KOFFI });
    cleanups.push(() => p.kill());
    const client = await connectTo(await p.listeningPort());
    cleanups.push(() => client.destroy());
    client.end(payload);
    await p.waitForStdout((out) => out.length >= payload.length, 30_000);
    await p.waitForStderr(/closed/);
    expect(sha(p.stdout)).toBe(sha(payload));
    expect(p.stdout.length).toBe(payload.length);
    expect(p.stderr).not.toMatch(SPLICED);
    expect(p.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
  });
});
