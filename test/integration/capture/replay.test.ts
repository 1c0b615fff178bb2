import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFlows, TOOLS } from '../../helpers/capture-tools.js';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { CliProcess, runCli, sleep } from '../../helpers/cli.js';
import { collect, tcpServer } from '../../helpers/servers.js';

const cleanups = cleanupAfterEach();

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sockrepl-replay-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A line server: greets, answers every line with its length, ends after QUIT. */
async function lineServer() {
  const srv = await tcpServer((s) => {
    s.write('HELLO\n');
    let buf = '';
    s.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        s.write(line === 'QUIT' ? 'BYE\n' : `LEN ${String(line.length).padStart(3, '0')}\n`);
        if (line === 'QUIT') s.end();
      }
    });
  });
  cleanups.push(() => srv.close());
  return srv;
}

/** One conversation through sockrepl, captured with --pcap. */
async function captured(port: number, file: string): Promise<void> {
  const p = new CliProcess(['--pcap', file, '127.0.0.1', String(port)]);
  await p.waitForStdout((o) => o.includes('HELLO'));
  p.child.stdin.write('alice\n');
  await p.waitForStdout((o) => o.includes('LEN 005'));
  p.child.stdin.write('QUIT\n');
  await p.waitForStdout((o) => o.includes('BYE'));
  p.child.stdin.end();
  await p.exited;
}

describe('sockrepl replay', { timeout: 60_000 }, () => {
  it('lists flows, writes a script that passes, replays the client side, strict and not', async () => {
    const srv = await lineServer();
    const dir = tempDir();
    const file = join(dir, 'c.pcapng');
    await captured(srv.port, file);
    const list = await runCli(['replay', file]);
    expect(list.code).toBe(0);
    expect(list.stdout.toString()).toMatch(
      new RegExp(`^#1  tcp  127\\.0\\.0\\.1:\\d+ -> 127\\.0\\.0\\.1:${srv.port} .* FIN$`, 'm'),
    );
    const script = join(dir, 'flow.srs');
    const emitted = await runCli(['replay', file, '--emit-script', script]);
    expect(emitted.code).toBe(0);
    expect(readFileSync(script, 'utf8')).toMatch(
      /expect "HELLO\\n"\nsend "alice\\n"\nexpect "LEN 005\\n"\nsend "QUIT\\n"/,
    );
    expect((await runCli(['run', script])).code).toBe(0);
    const replay = await runCli(['replay', file, '--to', `127.0.0.1:${srv.port}`, '--strict']);
    expect(replay.stderr).toMatch(/replay passed: 5 turns/);
    expect(replay.code).toBe(0);
  });

  it('reports a reply of another length as a diff of hex dumps and exits 3', async () => {
    const srv = await lineServer();
    const file = join(tempDir(), 'c.pcap');
    await captured(srv.port, file);
    // Another server on another port that answers differently.
    const other = await tcpServer((s) => {
      s.write('HELLO THERE\n');
      s.on('data', () => s.end('NO\n'));
    });
    cleanups.push(() => other.close());
    const r = await runCli(['replay', file, '--to', `127.0.0.1:${other.port}`, '--timeout', '2s']);
    expect(r.code).toBe(3);
    const out = r.stdout.toString();
    expect(out).toMatch(/^turn \d: expected \d+ bytes, got \d+$/m);
    expect(out).toMatch(/^- 00000000 /m);
    expect(out).toMatch(/^\+ 00000000 /m);
  });

  it('plays the server side to a live client', async () => {
    const srv = await lineServer();
    const file = join(tempDir(), 'c.pcap');
    await captured(srv.port, file);
    const p = new CliProcess(['replay', file, '--as', 'server', '--listen', '0', '--strict']);
    cleanups.push(() => p.kill());
    const m = await p.waitForStderr(/on port (\d+)/);
    const sock = net.connect({ port: Number(m[1]), host: '127.0.0.1' });
    const got = collect(sock);
    sock.write('alice\nQUIT\n');
    const { data } = await got;
    expect(data.toString()).toBe('HELLO\nLEN 005\nBYE\n');
    const r = await p.exited;
    expect(r.stderr).toMatch(/replay passed/);
    expect(r.code).toBe(0);
  });

  it('reads a capture that tcpdump -w took on loopback', async (ctx) => {
    if (!TOOLS.tcpdump) {
      console.warn('SKIPPED: tcpdump is not installed');
      ctx.skip();
    }
    const srv = await lineServer();
    const dir = tempDir();
    const file = join(dir, 'dump.pcap');
    // -Z: keep our own user, which owns the test's private directory (tcpdump drops to its own).
    // A probe port proves the capture is running before the real exchange starts.
    const probe = await tcpServer((s) => s.end());
    cleanups.push(() => probe.close());
    const filter = `tcp port ${srv.port} or tcp port ${probe.port}`;
    const args = ['-i', 'lo', '--immediate-mode', '-U', '-n', '-Z', userInfo().username, '-w', file, filter];
    const dump: ChildProcess = spawn('tcpdump', args, {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let said = '';
    dump.stderr!.on('data', (d: Buffer) => {
      said += d.toString();
    });
    const exited = new Promise((resolve) => dump.on('close', resolve));
    cleanups.push(() => {
      if (dump.exitCode === null) dump.kill('SIGKILL');
    });
    const deadline = Date.now() + 15_000;
    while (!/listening on/.test(said)) {
      if (dump.exitCode !== null || Date.now() > deadline) {
        console.warn(`SKIPPED: tcpdump cannot capture here: ${said.trim()}`);
        ctx.skip();
      }
      await sleep(20);
    }
    while (!existsSync(file) || statSync(file).size <= 24) {
      if (Date.now() > deadline) throw new Error(`tcpdump captured nothing: ${said}`);
      await collect(net.connect({ port: probe.port, host: '127.0.0.1' }));
      await sleep(20);
    }
    const client = net.connect({ port: srv.port, host: '127.0.0.1' });
    const got = collect(client);
    client.write('bob\n');
    await sleep(50);
    client.write('QUIT\n');
    await got;
    // Until tcpdump has written the whole exchange (both FINs), as read back by our reader.
    const whole = () => {
      try {
        return readFlows(file).some((f) => f.server.port === srv.port && f.fin.client && f.fin.server);
      } catch {
        return false;
      }
    };
    while (!whole()) {
      if (Date.now() > deadline + 15_000) throw new Error('tcpdump never wrote the whole exchange');
      await sleep(50);
    }
    dump.kill('SIGINT');
    await exited;
    expect(said).not.toMatch(/denied|error/i);
    const list = await runCli(['replay', file]);
    expect(list.stdout.toString()).toMatch(
      new RegExp(
        `^#\\d+  tcp  127\\.0\\.0\\.1:\\d+ -> 127\\.0\\.0\\.1:${srv.port} .* client 9 B  server 18 B`,
        'm',
      ),
    );
    const r = await runCli([
      'replay',
      file,
      '--match',
      `${srv.port}`,
      '--to',
      `127.0.0.1:${srv.port}`,
      '--strict',
    ]);
    expect(r.stderr).toMatch(/replay passed/);
    expect(r.code).toBe(0);
  });
});
