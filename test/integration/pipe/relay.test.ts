import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import type * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { BIN, CliProcess, sleep } from '../../helpers/cli.js';
import { collect, connectTo, freePort, tcpServer } from '../../helpers/servers.js';

/**
 * Pipe mode's fast path (relay-path.ts): received bytes go from the socket to standard output by
 * splice(2), and standard input to the socket by read/write, on worker threads. Every kind of
 * standard stream must get every byte, in order, and every way a connection ends must behave as on
 * the ordinary path (eof.test.ts).
 */
const cleanups = cleanupAfterEach();
const DEBUG = { SOCKREPL_DEBUG: '1' };
const SPLICED = /received bytes go to stdout by splice\(2\) on a worker thread/;
const STDIN_RELAYED = /stdin goes to the socket on a worker thread/;
const MiB = 1 << 20;

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** A server that sends `data` to each client, then FIN. */
async function sender(data: Buffer) {
  const srv = await tcpServer((s) => s.end(data));
  cleanups.push(() => srv.close());
  return srv;
}

function tempFile(name: string): string {
  return join(mkdtempSync(join(tmpdir(), 'sockrepl-splice-')), name);
}

/** Runs the CLI with standard output, or input, on descriptor `fd` (a file); resolves with code and stderr. */
function runWithFd(
  args: string[],
  fd: number,
  as: 'stdout' | 'stdin' = 'stdout',
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...DEBUG },
    stdio: as === 'stdout' ? ['pipe', fd, 'pipe'] : [fd, 'ignore', 'pipe'],
  });
  child.stdin?.end();
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    }),
  );
}

/** Runs a shell line; resolves with its standard output and error. */
function shell(line: string): Promise<{ stdout: string; stderr: string }> {
  const child = spawn('bash', ['-c', line], { env: { ...process.env, ...DEBUG }, stdio: 'pipe' });
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d;
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) =>
    child.on('close', () => {
      clearTimeout(timer);
      resolve({ stdout, stderr });
    }),
  );
}

/** Connects once something listens on `port` (tries for up to 5 s). */
async function connectWhenListening(port: number): Promise<net.Socket> {
  for (let tries = 0; ; tries++) {
    try {
      return await connectTo(port);
    } catch (err) {
      if (tries >= 250) throw err;
      await sleep(20);
    }
  }
}

describe.runIf(process.platform === 'linux')('received bytes by splice(2)', () => {
  const payload = randomBytes(8 * MiB);

  it('into a socket (the test harness): every byte, in order, exit 0', async () => {
    const srv = await sender(payload);
    const p = new CliProcess(['127.0.0.1', String(srv.port)], DEBUG);
    p.child.stdin.end();
    const r = await p.exited;
    expect(r.stderr).toMatch(SPLICED);
    expect(r.code).toBe(0);
    expect(sha(r.stdout)).toBe(sha(payload));
  });

  it('into a shell pipe (spliced straight in)', async () => {
    const srv = await sender(payload);
    const r = await shell(`"${process.execPath}" "${BIN}" 127.0.0.1 ${srv.port} < /dev/null | sha256sum`);
    expect(r.stderr).toMatch(SPLICED);
    expect(r.stdout.split(' ')[0]).toBe(sha(payload));
  });

  it('into a regular file, and into one opened for appending (splice refuses: copied instead)', async () => {
    for (const flags of ['w', 'a'] as const) {
      const srv = await sender(payload);
      const path = tempFile('out');
      if (flags === 'a') writeFileSync(path, 'before\n');
      const fd = openSync(path, flags);
      const r = await runWithFd(['127.0.0.1', String(srv.port)], fd);
      closeSync(fd);
      expect(r.stderr).toMatch(SPLICED);
      expect(r.code).toBe(0);
      const prefix = flags === 'a' ? Buffer.from('before\n') : Buffer.alloc(0);
      expect(sha(readFileSync(path))).toBe(sha(Buffer.concat([prefix, payload])));
    }
  });

  it('as a listener: one client, its bytes, then exit 0 with nc-style -v lines', async () => {
    const p = new CliProcess(['listen', '-v', '127.0.0.1', '0'], DEBUG);
    p.child.stdin.end();
    const client = await connectTo(await p.listeningPort());
    client.end(payload);
    const r = await p.exited;
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(SPLICED);
    expect(r.stderr).toMatch(/closed: peer closed \(FIN\)/);
    expect(sha(r.stdout)).toBe(sha(payload));
  });

  it('the peer resets: exit 1 naming ECONNRESET, the bytes before it delivered', async () => {
    const first = randomBytes(MiB);
    let peer: net.Socket | undefined;
    const srv = await tcpServer((s) => {
      peer = s;
      s.write(first);
    });
    cleanups.push(() => srv.close());
    const p = new CliProcess(['-v', '127.0.0.1', String(srv.port)], DEBUG);
    await p.waitForStdout((out) => out.length === first.length);
    peer!.resetAndDestroy();
    const r = await p.exited;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ECONNRESET/);
    expect(r.stderr).toMatch(/closed: reset by peer \(RST\)/);
    expect(sha(r.stdout)).toBe(sha(first));
  });

  it('the reader of standard output leaves: quits quietly with exit 0', async () => {
    // The server offers at most 64 MiB, and stops once sockrepl is gone.
    const srv = await tcpServer((s) => {
      let left = 64;
      const more = () => {
        while (left-- > 0) if (!s.write(Buffer.alloc(MiB, 0x61))) return void s.once('drain', more);
        s.end();
      };
      more();
    });
    cleanups.push(() => srv.close());
    const r = await shell(
      // Past the first MiB, which goes the ordinary way (bulk-upgrade.ts): the worker sees EPIPE.
      `"${process.execPath}" "${BIN}" 127.0.0.1 ${srv.port} < /dev/null | head -c 3000000 > /dev/null; echo "exit \${PIPESTATUS[0]}"`,
    );
    expect(r.stderr).toMatch(SPLICED);
    expect(r.stderr.split('\n').filter((line) => line && !SPLICED.test(line))).toEqual([]);
    expect(r.stdout.trim()).toBe('exit 0');
  });

  it('-q after standard input ends: quits while the peer is still open, with every byte that came', async () => {
    const srv = await tcpServer((s) => s.write(payload));
    cleanups.push(() => srv.close());
    const p = new CliProcess(['-q', '0.3', '127.0.0.1', String(srv.port)], DEBUG);
    cleanups.push(() => p.kill());
    // Standard input ends once everything has arrived, so the outcome does not hang on speed.
    await p.waitForStdout((out) => out.length === payload.length, 30_000);
    p.child.stdin.end();
    const r = await p.exited;
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(SPLICED);
    expect(sha(r.stdout)).toBe(sha(payload));
  });

  it('standard input still reaches the peer while replies are spliced', async () => {
    const got: Buffer[] = [];
    const srv = await tcpServer((s) => {
      s.on('data', (d: Buffer) => {
        got.push(d);
        s.write(d);
      });
      s.on('end', () => s.end());
    });
    cleanups.push(() => srv.close());
    const p = new CliProcess(['-N', '127.0.0.1', String(srv.port)], DEBUG);
    p.child.stdin.end(payload);
    const r = await p.exited;
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(SPLICED);
    expect(sha(Buffer.concat(got))).toBe(sha(payload));
    expect(sha(r.stdout)).toBe(sha(payload));
  });

  it('standard input from a file reaches the peer whole, in both roles', async () => {
    const path = tempFile('in');
    writeFileSync(path, payload);
    const got: Promise<Buffer>[] = [];
    const srv = await tcpServer((s) => got.push(collect(s).then((r) => r.data)));
    cleanups.push(() => srv.close());
    const asClient = openSync(path, 'r');
    const r = await runWithFd(['--send-only', '127.0.0.1', String(srv.port)], asClient, 'stdin');
    closeSync(asClient);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(STDIN_RELAYED);
    expect(sha(await got[0]!)).toBe(sha(payload));

    const port = await freePort();
    const asListener = openSync(path, 'r');
    const served = runWithFd(['listen', '-N', '127.0.0.1', String(port)], asListener, 'stdin');
    const client = await connectWhenListening(port);
    const back = await collect(client);
    client.end(); // -N sent FIN after the file; sockrepl waits for ours, as nc does
    const done = await served;
    closeSync(asListener);
    expect(done.code).toBe(0);
    expect(done.stderr).toMatch(STDIN_RELAYED);
    expect(sha(back.data)).toBe(sha(payload));
  });

  it('the peer resets while standard input is sent: exit 1 naming the reset', async () => {
    // Once the first MiB has gone the ordinary way (bulk-upgrade.ts) and the worker sends the rest.
    const srv = await tcpServer((s) => {
      let got = 0;
      s.on('data', (d: Buffer) => {
        got += d.length;
        if (got >= 4 * MiB) s.resetAndDestroy();
      });
    });
    cleanups.push(() => srv.close());
    const p = new CliProcess(['127.0.0.1', String(srv.port)], DEBUG);
    // Far more than the socket buffers hold, so sending is still going on when the RST comes.
    p.child.stdin.end(Buffer.alloc(64 * MiB));
    const r = await p.exited;
    expect(r.stderr).toMatch(STDIN_RELAYED);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ECONNRESET|EPIPE/);
  });

  it('listen -k: a small client stays on the ordinary path (keep-open-fast-path.test.ts)', async () => {
    const p = new CliProcess(['listen', '-k', '-v', '127.0.0.1', '0'], DEBUG);
    p.child.stdin.end();
    const client = await connectTo(await p.listeningPort());
    client.end('hi\n');
    await p.waitForStdout((out) => out.toString() === 'hi\n');
    p.kill();
    expect(p.stderr).not.toMatch(SPLICED);
  });
});
