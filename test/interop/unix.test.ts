import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, listen } from '../../src/index.js';
import { cleanupAfterEach } from '../helpers/cleanups.js';
import { CliProcess, runCli } from '../helpers/cli.js';
import { hasCommand, startPeer } from '../helpers/peer-process.js';

/** Unix domain stream sockets (-U) against socat UNIX-* and nc -U, and the library. */
const haveSocat = hasCommand('socat');
const haveNc =
  hasCommand('nc') && /OpenBSD/.test(execFileSync('sh', ['-c', 'nc -h 2>&1 || true']).toString());

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sockrepl-unix-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cleanups = cleanupAfterEach();
let n = 0;
const sockPath = () => join(dir, `s${++n}.sock`);
const abstractName = () => `sockrepl-test-${process.pid}-${++n}`;

async function waitFor(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition never held');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function sockrepl(args: string[]): CliProcess {
  const p = new CliProcess(args);
  cleanups.push(() => p.kill());
  return p;
}

describe.skipIf(!haveSocat)('unix sockets with socat', () => {
  it('-U connects to socat UNIX-LISTEN; an echo comes back', async () => {
    const path = sockPath();
    startPeer(cleanups, 'socat', [`UNIX-LISTEN:${path}`, 'EXEC:cat']);
    await waitFor(() => existsSync(path));
    const r = await runCli(['-U', path, '-N'], 'over a unix socket\n');
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe('over a unix socket\n');
  });

  it('-lU listens; socat UNIX-CONNECT sends, and the file is gone after', async () => {
    const path = sockPath();
    const server = sockrepl(['-lvU', path]);
    server.child.stdin.end();
    await server.waitForStderr(/Listening on /);
    const client = startPeer(cleanups, 'socat', ['-u', 'STDIN', `UNIX-CONNECT:${path}`], {
      text: 'to the listener\n',
    });
    const [c, s] = await Promise.all([client.done, server.exited]);
    expect(c.code).toBe(0);
    expect(s.stdout.toString()).toBe('to the listener\n');
    expect(existsSync(path)).toBe(false);
  });

  it('abstract names (@name) meet socat ABSTRACT-* with the exact name', async () => {
    const name = abstractName();
    const server = sockrepl(['listen', '-v', '-U', `@${name}`]);
    server.child.stdin.end();
    await server.waitForStderr(/Listening on @/);
    const client = startPeer(cleanups, 'socat', ['-u', 'STDIN', `ABSTRACT-CONNECT:${name}`], {
      text: 'abstract\n',
    });
    const [c, s] = await Promise.all([client.done, server.exited]);
    expect(c.code).toBe(0);
    expect(s.stdout.toString()).toBe('abstract\n');

    const other = abstractName();
    startPeer(cleanups, 'socat', [`ABSTRACT-LISTEN:${other}`, 'EXEC:cat']);
    await waitFor(() => execFileSync('cat', ['/proc/net/unix']).toString().includes(`@${other}`));
    const r = await runCli(['-U', `@${other}`, '-N'], 'echo\n');
    expect(r.stdout.toString()).toBe('echo\n');
  });
});

describe.skipIf(!haveNc)('unix sockets with OpenBSD nc -U', () => {
  it('nc -U talks to sockrepl -lU, both ways', async () => {
    const path = sockPath();
    const server = sockrepl(['-lvU', path]);
    server.child.stdin.end('from sockrepl\n');
    await server.waitForStderr(/Listening on /);
    const client = startPeer(cleanups, 'nc', ['-N', '-U', path], { text: 'from nc\n' });
    const [c, s] = await Promise.all([client.done, server.exited]);
    expect(s.stdout.toString()).toBe('from nc\n');
    expect(c.out.toString()).toBe('from sockrepl\n');
  });

  it('sockrepl -U talks to nc -lU', async () => {
    const path = sockPath();
    const server = startPeer(cleanups, 'nc', ['-lU', path], { keepOpen: true });
    await waitFor(() => existsSync(path));
    const r = await runCli(['-U', path, '-N'], 'to nc\n');
    expect(r.code).toBe(0);
    server.child.kill('SIGTERM');
    expect((await server.done).out.toString()).toBe('to nc\n');
  });
});

describe('unix socket files', () => {
  it('a stale socket file is removed (and -v says so); a live one is EADDRINUSE', async () => {
    const path = sockPath();
    execFileSync('python3', [
      '-c',
      `import socket; s=socket.socket(socket.AF_UNIX); s.bind(${JSON.stringify(path)})`,
    ]);
    const server = sockrepl(['-lvU', path, '-k']);
    await server.waitForStderr(/Removed the stale socket file .* \(nothing listened on it\)/);
    const second = await runCli(['-lU', path]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/EADDRINUSE: another process listens on that socket/);
  });

  it('never removes a file that is not a socket', async () => {
    const path = sockPath();
    writeFileSync(path, 'precious');
    const r = await runCli(['-lU', path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the path exists and is not a socket; it is left alone/);
    expect(existsSync(path)).toBe(true);
  });

  it('names a missing file, a refused connect and a permission problem', async () => {
    const missing = await runCli(['-U', join(dir, 'none.sock')]);
    expect(missing.stderr).toMatch(/ENOENT: no such socket file/);
    // root passes permission checks, so only another user can see this one.
    if (process.getuid?.() === 0) return;
    const closedDir = join(dir, 'closed');
    execFileSync('mkdir', [closedDir]);
    chmodSync(closedDir, 0o000);
    const denied = await runCli(['-lU', join(closedDir, 'x.sock')]);
    chmodSync(closedDir, 0o755);
    expect(denied.stderr).toMatch(/permission denied/);
  });

  it('the library: listen({ unix }) and connect(…, { unix }) exchange lines', async () => {
    const path = sockPath();
    const listener = await listen(0, { unix: path });
    cleanups.push(() => listener.close());
    const accepted = new Promise<import('../../src/index.js').Tube>((r) => listener.once('tube', r));
    const client = await connect('', 0, { unix: path });
    cleanups.push(() => client.close());
    const server = await accepted;
    await client.sendLine('ping');
    await server.expect('ping\n');
    await server.sendLine('pong');
    await client.expect('pong\n');
    expect(client.info().proto).toBe('unix');
    expect(client.info().remote).toMatchObject({ address: path, family: 'unix' });
  });
});
