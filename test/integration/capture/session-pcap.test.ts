import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFlows, sha256, toolMissing, tsharkFollow, tsharkWarnings } from '../../helpers/capture-tools.js';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { CliProcess, runCli, sleep } from '../../helpers/cli.js';
import { parseJsonEvents } from '../../helpers/json-events.js';
import { collect, connectTo, tcpServer } from '../../helpers/servers.js';

const cleanups = cleanupAfterEach();

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sockrepl-pcap-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function echoServer() {
  const srv = await tcpServer((s) => {
    s.on('data', (d: Buffer) => s.write(Buffer.concat([Buffer.from('echo:'), d])));
    s.on('end', () => s.end());
  });
  cleanups.push(() => srv.close());
  return srv;
}

async function until(cond: () => boolean, ms = 10_000, what = 'condition') {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('--pcap and /pcap in sessions', { timeout: 60_000 }, () => {
  it('--json: --pcap captures from the start; /pcap switches to another file, /pcap off stops', async () => {
    const srv = await echoServer();
    const dir = tempDir();
    const late = join(dir, 'late.pcapng');
    const early = join(dir, 'early.pcap');
    const input = [
      `/send "one\\n"`,
      '/expect /echo:one/',
      `/pcap ${late}`,
      '/send "two\\n"',
      '/expect /echo:two/',
      '/pcap off',
      '/quit',
      '',
    ].join('\n');
    const r = await runCli(['--json', '--pcap', early, '127.0.0.1', String(srv.port)], input);
    expect(r.code).toBe(0);
    const results = parseJsonEvents(r.stdout).filter((e) => e.command === 'pcap');
    expect(results.map((e) => e.ok)).toEqual([true, true]);
    expect(results[1]!.data).toEqual({ stopped: late, packets: expect.any(Number) });
    const [first] = readFlows(early);
    expect(Buffer.from(first!.clientBytes).toString()).toBe('one\n');
    expect(Buffer.from(first!.serverBytes).toString()).toBe('echo:one\n');
    const [part] = readFlows(late);
    expect(Buffer.from(part!.clientBytes).toString()).toBe('two\n');
    expect(Buffer.from(part!.serverBytes).toString()).toBe('echo:two\n');
    if (!toolMissing('tshark')) {
      expect(tsharkWarnings(early)).toEqual([]);
      expect(tsharkWarnings(late)).toEqual([]);
    }
  });

  it('run: a script with --pcap, and one with a pcap line', async () => {
    const srv = await echoServer();
    const dir = tempDir();
    const script = join(dir, 's.srs');
    const inner = join(dir, 'inner.pcap');
    writeFileSync(
      script,
      [
        `connect 127.0.0.1 ${srv.port}`,
        `pcap ${inner}`,
        'send "abc\\n"',
        'expect /echo:abc/',
        'close',
        '',
      ].join('\n'),
    );
    const r = await runCli(['run', script]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const plain = join(dir, 'plain.srs');
    writeFileSync(
      plain,
      [`connect 127.0.0.1 ${srv.port}`, 'send "abc\\n"', 'expect /echo:abc/', 'close', ''].join('\n'),
    );
    const outer = join(dir, 'outer.pcapng');
    const o = await runCli(['run', '--pcap', outer, plain]);
    expect(o.stderr).toBe('');
    expect(o.code).toBe(0);
    for (const file of [outer, inner]) {
      const [flow] = readFlows(file);
      expect(Buffer.from(flow!.clientBytes).toString()).toBe('abc\n');
      expect(Buffer.from(flow!.serverBytes).toString()).toBe('echo:abc\n');
      if (!toolMissing('tshark')) {
        expect(tsharkFollow(file).server.toString()).toBe('echo:abc\n');
        expect(tsharkWarnings(file)).toEqual([]);
      }
    }
  });

  it('proxy: both legs of a client, 4 MiB each way, same sha256 on each leg', async () => {
    const srv = await echoServer();
    const file = join(tempDir(), 'proxy.pcapng');
    const p = new CliProcess([
      'proxy',
      '0',
      '127.0.0.1',
      String(srv.port),
      '-s',
      '127.0.0.1',
      '-v',
      '--pcap',
      file,
    ]);
    cleanups.push(() => p.kill());
    const port = await p.listeningPort();
    const client: net.Socket = await connectTo(port);
    const got = collect(client);
    const payload = Buffer.alloc(4 * 1024 * 1024, 'x');
    for (let i = 0; i < payload.length; i += 997) payload[i] = i & 0xff;
    client.end(payload);
    const { data } = await got;
    await until(() => /closed/.test(p.stderr), 10_000, 'the proxy to see the client close');
    p.child.kill('SIGTERM');
    await p.exited;
    const flows = readFlows(file);
    expect(flows).toHaveLength(2);
    const [front, back] = flows;
    expect(front!.server.port).toBe(port);
    expect(back!.server.port).toBe(srv.port);
    for (const leg of [front!, back!]) {
      expect(sha256(leg.clientBytes)).toBe(sha256(payload));
      expect(sha256(leg.serverBytes)).toBe(sha256(data));
    }
    expect(data.length).toBeGreaterThan(payload.length);
    if (!toolMissing('tshark')) expect(tsharkWarnings(file)).toEqual([]);
  }, 60_000);
});
