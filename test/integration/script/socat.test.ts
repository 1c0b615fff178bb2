import { execFileSync, spawn } from 'node:child_process';
import * as net from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CliProcess, sleep } from '../../helpers/cli.js';
import { freePort } from '../../helpers/servers.js';
import { run, scriptDir } from './helpers.js';

/** Scripts against socat, a peer that is not ours. CI installs socat, so there these always run. */
const haveSocat = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v socat']);
    return true;
  } catch {
    return false;
  }
})();
const REASON = haveSocat ? '' : ' (skipped: socat is not installed; CI installs it)';

const dir = scriptDir();
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
afterAll(() => dir.cleanup());

/** Starts a socat listener (a fresh service per connection) and waits until it accepts. */
async function socatServer(service: string): Promise<number> {
  const port = await freePort();
  const child = spawn('socat', [`TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork`, `SYSTEM:${service}`], {
    stdio: 'ignore',
  });
  cleanups.push(() => child.kill('SIGKILL'));
  for (let i = 0; i < 300; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const probe = net.connect(port, '127.0.0.1');
      probe.once('connect', () => {
        probe.destroy();
        resolve(true);
      });
      probe.once('error', () => resolve(false));
    });
    if (up) return port;
    await sleep(10);
  }
  throw new Error('socat did not start listening');
}

describe(`scripts against socat${REASON}`, () => {
  it.skipIf(!haveSocat)(
    'talks a line protocol to a socat-served shell loop, through to its EOF',
    async () => {
      const port = await socatServer(
        'echo "220 socat ready"; while read -r line; do [ "$line" = quit ] && { echo bye; exit 0; }; echo "got $line"; done',
      );
      const script = dir.write(
        'socat.srs',
        [
          `connect 127.0.0.1 ${port}`,
          'expect /^220 (\\w+) ready\\n/ 5s',
          'send "hello $1\\n"',
          'expect "got hello socat\\n" 5s',
          'send "quit\\n"',
          'expect "bye\\n" 5s',
          'expect eof 5s',
        ].join('\n'),
      );
      const r = await run([script]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.out).toContain('$1="socat"');
    },
  );

  it.skipIf(!haveSocat)('a listening script serves a socat client', async () => {
    const port = await freePort();
    const script = dir.write(
      'serve-socat.srs',
      `listen 127.0.0.1 ${port}\nexpect "ping\\n" 5s\nsend "pong\\n"\nexpect eof 5s\n`,
    );
    const p = new CliProcess(['run', script]);
    cleanups.push(() => p.kill());
    await p.waitForStdout((o) => o.includes('listening on TCP'));
    const client = spawn('socat', ['-t', '2', '-', `TCP:127.0.0.1:${port}`], { stdio: 'pipe' });
    cleanups.push(() => client.kill('SIGKILL'));
    const out: Buffer[] = [];
    client.stdout.on('data', (d: Buffer) => out.push(d));
    const clientDone = new Promise((resolve) => client.once('close', resolve));
    client.stdin.end('ping\n');
    const r = await p.exited;
    await clientDone;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(Buffer.concat(out).toString()).toBe('pong\n');
  });
});
