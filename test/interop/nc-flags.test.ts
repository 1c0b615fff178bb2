import { execFileSync } from 'node:child_process';
import * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { normalizeArgv, splitBundle } from '../../src/cli/normalize-argv.js';
import { cleanupAfterEach } from '../helpers/cleanups.js';
import { CliProcess, runCli } from '../helpers/cli.js';
import { hasCommand, startPeer } from '../helpers/peer-process.js';
import { freePort } from '../helpers/servers.js';

/** netcat habits (-z, -C, -d, -w, bundles, -l -p, help) side by side with OpenBSD nc where it is here. */
const haveNc =
  hasCommand('nc') && /OpenBSD/.test(execFileSync('sh', ['-c', 'nc -h 2>&1 || true']).toString());
const cleanups = cleanupAfterEach();

/** A server that keeps what each client sends, and optionally answers. */
async function server(answer?: string) {
  const got: Buffer[] = [];
  const s = net.createServer({ allowHalfOpen: true }, (c) => {
    c.on('data', (d) => got.push(d));
    c.on('error', () => {});
    if (answer !== undefined) c.write(answer);
    c.on('end', () => c.end());
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  cleanups.push(() => s.close());
  return { port: (s.address() as net.AddressInfo).port, got: () => Buffer.concat(got).toString('latin1') };
}

describe('bundled flags and -l -p', () => {
  it('splits bundles by the option table, values attached or next', () => {
    expect(splitBundle('-lvU')).toEqual(['-l', '-v', '-U']);
    expect(splitBundle('-vzw1')).toEqual(['-v', '-z', '-w', '1']);
    expect(splitBundle('-lkp8888')).toEqual(['-l', '-k', '-p', '8888']);
    expect(splitBundle('-lQ')).toEqual(['-lQ']);
    expect(normalizeArgv(['-lvkp', '8888'])).toEqual(['listen', '-v', '-k', '8888']);
    expect(normalizeArgv(['-l', '-p', '8888'])).toEqual(['listen', '8888']);
  });

  it('nc -l -p PORT listens on PORT', async () => {
    const port = await freePort();
    const p = new CliProcess(['-lvp', String(port)]);
    cleanups.push(() => p.kill());
    p.child.stdin.end();
    await p.waitForStderr(new RegExp(`Listening on 0\\.0\\.0\\.0 ${port}`));
  });
});

describe('-z port check', () => {
  it('reports open and closed ports in order; exit 0 when any is open, 1 when none', async () => {
    const open = await server();
    const closed = await freePort();
    const spec = `${closed},${open.port}`;
    const r = await runCli(['-zv', '127.0.0.1', spec]);
    expect(r.code).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toBe(`Connection to 127.0.0.1 ${closed} port [tcp/*] closed: refused (RST)`);
    expect(lines[1]).toBe(`Connection to 127.0.0.1 ${open.port} port [tcp/*] succeeded!`);
    expect(open.got()).toBe('');
    const none = await runCli(['-z', '127.0.0.1', String(closed)]);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe('');
  });

  it.skipIf(!haveNc)('agrees with nc -z on the exit code', async () => {
    const open = await server();
    const closed = await freePort();
    for (const port of [open.port, closed]) {
      const ours = await runCli(['-z', '127.0.0.1', String(port)]);
      const theirs = startPeer(cleanups, 'nc', ['-z', '127.0.0.1', String(port)]);
      expect(ours.code).toBe((await theirs.done).code);
    }
  });

  it('refuses a bad port list', async () => {
    const r = await runCli(['-z', '127.0.0.1', '25-20']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/runs backwards/);
  });
});

describe('-C, -d, -w', () => {
  it('-C sends LF as CRLF, as nc -C does', async () => {
    const ours = await server();
    await runCli(['-C', '-N', '127.0.0.1', String(ours.port)], 'a\nb\r\n');
    expect(ours.got()).toBe('a\r\nb\r\n');
    if (haveNc) {
      const theirs = await server();
      const nc = startPeer(cleanups, 'nc', ['-C', '-N', '127.0.0.1', String(theirs.port)], {
        text: 'a\nb\r\n',
      });
      await nc.done;
      expect(theirs.got()).toBe(ours.got());
    }
  });

  it('-d reads nothing from standard input', async () => {
    const s = await server('hello\n');
    const p = new CliProcess(['-d', '127.0.0.1', String(s.port)]);
    cleanups.push(() => p.kill());
    p.child.stdin.write('must not be sent\n');
    await p.waitForStdout((o) => o.toString() === 'hello\n');
    p.kill();
    expect(s.got()).toBe('');
  });

  it('echo x | sockrepl -w1 host port: sends, takes the reply, quits once idle', async () => {
    const s = net.createServer((c) => c.on('data', (d) => c.write(`re: ${d}`)));
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    cleanups.push(() => s.close());
    const port = (s.address() as net.AddressInfo).port;
    const r = await runCli(['-w', '1', '127.0.0.1', String(port)], 'x\n', 20_000);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe('re: x\n');
  });
});

describe('help and typos', () => {
  it('sockrepl help [command] prints that command’s help', async () => {
    const r = await runCli(['help', 'listen']);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toMatch(/Usage: sockrepl listen/);
    const tls = await runCli(['--help']);
    expect(tls.stdout.toString()).toMatch(/TLS \(ncat --ssl names\):[\s\S]*--ssl-verify/);
    expect(tls.stdout.toString()).toMatch(/Through a proxy:[\s\S]*--proxy-type/);
  });

  it('a mistyped command gets "did you mean", not a DNS lookup', async () => {
    const r = await runCli(['lisen', '8000']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'lisen' \(did you mean 'listen'\?\)/);
    const c = await runCli(['connnect', '127.0.0.1', '1']);
    expect(c.stderr).toMatch(/did you mean 'connect'/);
  });
});
