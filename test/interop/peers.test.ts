import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../helpers/cleanups.js';
import { CliProcess } from '../helpers/cli.js';
import { freePort } from '../helpers/servers.js';

/**
 * sockrepl against real peers: OpenBSD nc and socat. They run whenever the peers are installed;
 * CI installs them (.ci/run), so there these tests always run.
 */
const has = (cmd: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`]);
    return true;
  } catch {
    return false;
  }
};
const haveNc = has('nc') && /OpenBSD/.test(execFileSync('sh', ['-c', 'nc -h 2>&1 || true']).toString());
const haveSocat = has('socat');

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const MiB = 1 << 20;
let dir: string;
let payloadFile: string;
let payload: Buffer;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sockrepl-interop-'));
  payload = randomBytes(64 * MiB);
  payloadFile = join(dir, 'payload.bin');
  writeFileSync(payloadFile, payload);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cleanups = cleanupAfterEach();

/** Runs a peer command, collecting its standard output. */
function peer(cmd: string, args: string[], stdinFile?: string) {
  const child = spawn('sh', [
    '-c',
    `exec ${cmd} ${args.join(' ')}${stdinFile ? ` < ${stdinFile}` : ' < /dev/null'}`,
  ]);
  const out: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(d));
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    err += d;
  });
  cleanups.push(() => child.kill('SIGKILL'));
  const done = new Promise<{ code: number | null; out: Buffer; err: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, out: Buffer.concat(out), err })),
  );
  return { child, done };
}

function sockrepl(args: string[], stdinFile?: string): CliProcess {
  const p = new CliProcess(args);
  cleanups.push(() => p.kill());
  if (stdinFile) {
    const src = spawn('cat', [stdinFile]);
    src.stdout.pipe(p.child.stdin);
  } else {
    p.child.stdin.end();
  }
  return p;
}

async function waitListening(port: number, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      execFileSync('sh', ['-c', `ss -ltn | grep -q ':${port} '`]);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  throw new Error(`nothing listened on ${port}`);
}

describe.skipIf(!haveNc)('with OpenBSD nc', () => {
  it('64 MiB from sockrepl (client) to nc -l, unchanged', async () => {
    const port = await freePort();
    const server = peer('nc', ['-l', '127.0.0.1', String(port)]);
    await waitListening(port);
    const client = sockrepl(['-N', '127.0.0.1', String(port)], payloadFile);
    const [s, c] = await Promise.all([server.done, client.exited]);
    expect(c.code).toBe(0);
    expect(sha(s.out)).toBe(sha(payload));
  }, 60_000);

  it('64 MiB from nc to sockrepl listen, unchanged', async () => {
    const port = await freePort();
    const server = sockrepl(['listen', '-v', '127.0.0.1', String(port)]);
    await server.listeningPort();
    const client = peer('nc', ['-N', '127.0.0.1', String(port)], payloadFile);
    const [c, s] = await Promise.all([client.done, server.exited]);
    expect(c.code).toBe(0);
    expect(s.code).toBe(0);
    expect(sha(s.stdout)).toBe(sha(payload));
  }, 60_000);

  it('UDP datagrams both ways with nc -u', async () => {
    const port = await freePort();
    const server = new CliProcess(['listen', '-u', '-v', '127.0.0.1', String(port)]);
    cleanups.push(() => server.kill());
    await server.listeningPort();
    const client = spawn('nc', ['-u', '127.0.0.1', String(port)]);
    cleanups.push(() => client.kill('SIGKILL'));
    let fromServer = '';
    client.stdout.on('data', (d: Buffer) => {
      fromServer += d;
    });
    client.stdin.write('hello over udp\n');
    await server.waitForStdout((o) => o.toString() === 'hello over udp\n');
    server.child.stdin.write('reply\n');
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (fromServer === 'reply\n') {
          clearInterval(t);
          resolve();
        }
      }, 10);
    });
  });
});

describe.skipIf(!haveSocat)('with socat', () => {
  it('64 MiB from sockrepl (client) to a socat listener, unchanged', async () => {
    const port = await freePort();
    const server = peer('socat', ['-u', `TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr`, 'STDOUT']);
    await waitListening(port);
    const client = sockrepl(['--send-only', '127.0.0.1', String(port)], payloadFile);
    const [s, c] = await Promise.all([server.done, client.exited]);
    expect(c.code).toBe(0);
    expect(sha(s.out)).toBe(sha(payload));
  }, 60_000);

  it('64 MiB from socat to sockrepl listen, unchanged', async () => {
    const port = await freePort();
    const server = sockrepl(['listen', '-v', '127.0.0.1', String(port)]);
    await server.listeningPort();
    const client = peer('socat', ['-u', `OPEN:${payloadFile}`, `TCP:127.0.0.1:${port}`]);
    const [c, s] = await Promise.all([client.done, server.exited]);
    expect(c.code).toBe(0);
    expect(sha(s.stdout)).toBe(sha(payload));
  }, 60_000);

  it('a socat echo server answers what sockrepl sends; -N half-closes cleanly', async () => {
    const port = await freePort();
    peer('socat', [`TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr`, 'EXEC:cat']);
    await waitListening(port);
    const p = new CliProcess(['-N', '127.0.0.1', String(port)]);
    cleanups.push(() => p.kill());
    p.child.stdin.end('echo me\n');
    const r = await p.exited;
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe('echo me\n');
  });
});
