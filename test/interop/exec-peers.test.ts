import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../helpers/cleanups.js';
import { CliProcess } from '../helpers/cli.js';
import { waitUntil } from '../helpers/processes.js';
import { collect, connectTo, freePort } from '../helpers/servers.js';

/**
 * Programs as peers against ncat (`ncat -e`, `ncat -l` / `ncat` as the other end) and socat: the
 * same bytes either way. They run whenever the peers are installed; CI installs them (.ci/run).
 */

const has = (cmd: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`]);
    return true;
  } catch {
    return false;
  }
};
const haveNcat = has('ncat');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const cleanups = cleanupAfterEach();

function run(cmd: string, args: string[], input?: Buffer | 'open') {
  // A server's standard input is /dev/null, as in a shell script; a client's is a pipe.
  const child = spawn(cmd, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  cleanups.push(() => child.kill('SIGKILL'));
  const out: Buffer[] = [];
  let err = '';
  child.stdout!.on('data', (d: Buffer) => out.push(d));
  child.stderr!.on('data', (d: Buffer) => {
    err += d;
  });
  child.stdin?.on('error', () => {});
  if (Buffer.isBuffer(input)) child.stdin!.end(input);
  const done = new Promise<{ code: number | null; out: Buffer; err: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, out: Buffer.concat(out), err })),
  );
  return { child, done, out: () => Buffer.concat(out) };
}

async function listening(port: number): Promise<void> {
  await waitUntil(() => {
    try {
      execFileSync('sh', ['-c', `ss -Htln 'sport = :${port}' | grep -q LISTEN`]);
      return true;
    } catch {
      return false;
    }
  }, `a listener on ${port}`);
}

describe.skipIf(!haveNcat)('exec interop with ncat', () => {
  // 48 KiB: past about 56 KiB `ncat -l -e /bin/cat` (7.9x) here stalls now and then with a client
  // still sending, ncat's own client included; bulk data through exec is exec-bulk.test.ts's.
  it('sockrepl connects to `ncat -l -e /bin/cat`: the bytes come back unchanged', async () => {
    const port = await freePort();
    run('ncat', ['-l', '127.0.0.1', String(port), '-e', '/bin/cat']);
    await listening(port);
    const payload = randomBytes(48 << 10);
    const p = new CliProcess(['127.0.0.1', String(port)]);
    cleanups.push(() => p.kill());
    // Our standard input stays open until everything came back: ncat -e loses the reply of a
    // client that half-closes at once.
    p.child.stdin.write(payload);
    await p.waitForStdout((out) => out.length >= payload.length, 15_000);
    expect({ len: p.stdout.length, sha: sha(p.stdout) }).toEqual({ len: payload.length, sha: sha(payload) });
  });

  it('`sockrepl listen -c` serves an ncat client as `ncat -l -c` does', async () => {
    const cmd = 'read line; echo "[$line]"; echo "$0" >&2';
    const ours = new CliProcess(['listen', '-v', '127.0.0.1', '0', '-c', cmd]);
    cleanups.push(() => ours.kill());
    const ourPort = await ours.listeningPort();
    const theirPort = await freePort();
    run('ncat', ['-l', '127.0.0.1', String(theirPort), '-c', cmd]);
    await listening(theirPort);
    // An ncat client whose input stays open (ncat -c drops the reply of one that half-closes at once).
    const ask = async (port: number) => {
      const c = run('ncat', ['127.0.0.1', String(port)], 'open');
      c.child.stdin!.write('hello\n');
      await waitUntil(() => c.out().includes(0x0a), 'the reply');
      c.child.kill();
      return c.out().toString();
    };
    const [viaUs, viaNcat] = await Promise.all([ask(ourPort), ask(theirPort)]);
    expect(viaUs).toBe('[hello]\n');
    expect(viaUs).toBe(viaNcat);
    // Its standard error stays on the listener's, as with ncat.
    await ours.waitForStderr(/^\/bin\/sh$/m);
  });

  it('`sockrepl connect -e cat` answers `ncat -l` with what it sent', async () => {
    const port = await freePort();
    const payload = randomBytes(1 << 20);
    const server = run('ncat', ['-l', '127.0.0.1', String(port)], payload);
    await listening(port);
    const p = new CliProcess(['connect', '127.0.0.1', String(port), '-e', 'cat']);
    cleanups.push(() => p.kill());
    const r = await server.done;
    expect({ len: r.out.length, sha: sha(r.out) }).toEqual({ len: payload.length, sha: sha(payload) });
  });

  it('--pty, as socat EXEC:...,pty: the client sees a terminal', async () => {
    const ours = new CliProcess(['listen', '-v', '127.0.0.1', '0', '--pty', '-c', 'tty; stty size']);
    cleanups.push(() => ours.kill());
    const port = await ours.listeningPort();
    const s = await connectTo(port);
    const got = await collect(s);
    expect(got.data.toString()).toMatch(/^\/dev\/pts\/\d+\r\n24 80\r\n$/);
  });
});
