import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  readFlows,
  readPackets,
  sha256,
  tcpdumpRead,
  toolMissing,
  tsharkFollow,
  tsharkWarnings,
} from '../../helpers/capture-tools.js';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { CliProcess, runCli } from '../../helpers/cli.js';
import { tcpServer } from '../../helpers/servers.js';

const cleanups = cleanupAfterEach();

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sockrepl-pcap-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A server that answers every chunk with `echo:` + the chunk and ends when the client does. */
async function echoServer(host = '127.0.0.1') {
  const srv = await tcpServer((s) => {
    s.on('data', (d: Buffer) => s.write(Buffer.concat([Buffer.from('echo:'), d])));
    s.on('end', () => s.end());
  }, host);
  cleanups.push(() => srv.close());
  return srv;
}

function checkWithTools(file: string, client: Buffer, server: Buffer): void {
  if (!toolMissing('tshark')) {
    const followed = tsharkFollow(file);
    expect(followed.client.equals(client)).toBe(true);
    expect(followed.server.equals(server)).toBe(true);
    expect(tsharkWarnings(file)).toEqual([]);
  }
  if (!toolMissing('tcpdump')) expect(tcpdumpRead(file).length).toBeGreaterThan(0);
}

describe('--pcap in pipe mode', { timeout: 60_000 }, () => {
  for (const ext of ['pcap', 'pcapng']) {
    for (const host of ['127.0.0.1', '::1']) {
      it(`connect to ${host}: a ${ext} file tshark follows byte for byte`, async () => {
        const srv = await echoServer(host);
        const file = join(tempDir(), `c.${ext}`);
        const r = await runCli(['-N', '--pcap', file, host, String(srv.port)], 'hello server\n');
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        const client = Buffer.from('hello server\n');
        const server = r.stdout;
        expect(server.toString()).toBe('echo:hello server\n');
        checkWithTools(file, client, server);
        const [flow] = readFlows(file);
        expect(flow?.client).toEqual({ address: host, port: expect.any(Number) });
        expect(flow?.server.port).toBe(srv.port);
        expect(flow?.syn).toBe(true);
        expect(flow?.fin).toEqual({ client: true, server: true });
      });
    }
  }

  it('listen on the fast path: the client is the peer; 64 MiB each way reads back with the same sha256', async () => {
    const file = join(tempDir(), 'l.pcap');
    const size = 64 * 1024 * 1024;
    const payload = Buffer.alloc(size);
    for (let i = 0; i < size; i += 4) payload.writeUInt32LE((i * 2654435761) >>> 0, i);
    const p = new CliProcess(['-l', '-v', '-N', '--pcap', file, '127.0.0.1', '0'], { SOCKREPL_DEBUG: '1' });
    const port = await p.listeningPort();
    const net = await import('node:net');
    const sock = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    const got: Buffer[] = [];
    let gotBytes = 0;
    // The client ends once it has everything: sockrepl, like nc, stops when its peer does.
    sock.on('data', (d: Buffer) => {
      got.push(d);
      gotBytes += d.length;
      if (gotBytes === size) sock.end();
    });
    sock.write(payload);
    const clientPort = await new Promise<number>((resolve) =>
      sock.on('connect', () => resolve(sock.localPort!)),
    );
    p.child.stdin.end(payload);
    const ended = new Promise((resolve) => sock.on('close', resolve));
    const r = await p.exited;
    await ended;
    expect(r.code).toBe(0);
    // Both directions stayed on the relay workers, which wrote their own packets.
    expect(r.stderr).toMatch(/copied \(not spliced\) so that --pcap sees them/);
    expect(r.stderr).toMatch(/stdin goes to the socket on a worker thread, which hands each chunk to --pcap/);
    expect(sha256(Buffer.concat(got))).toBe(sha256(payload));
    const [flow] = readFlows(file);
    expect(flow!.client.port).toBe(clientPort);
    expect(sha256(flow!.clientBytes)).toBe(sha256(payload));
    expect(sha256(flow!.serverBytes)).toBe(sha256(payload));
    expect(flow!.missing).toBe(0);
  }, 120_000);

  it('UDP: one datagram per packet, read back by tshark', async () => {
    const dgram = await import('node:dgram');
    const srv = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => srv.bind(0, '127.0.0.1', resolve));
    cleanups.push(() => srv.close());
    srv.on('message', (m, rinfo) =>
      srv.send(Buffer.concat([Buffer.from('re:'), m]), rinfo.port, rinfo.address),
    );
    const file = join(tempDir(), 'u.pcapng');
    const p = new CliProcess(['-u', '-q', '1s', '--pcap', file, '127.0.0.1', String(srv.address().port)]);
    p.child.stdin.write('one\n');
    await p.waitForStdout((out) => out.includes('re:one'), 20_000);
    p.child.stdin.write('two\n');
    // Standard input ends only once the reply is in: -q 1s must not race a stalled machine.
    await p.waitForStdout((out) => out.includes('re:two'), 20_000);
    p.child.stdin.end();
    await p.exited;
    const packets = readPackets(file);
    expect(packets.map((x) => Buffer.from(x.payload).toString())).toEqual([
      'one\n',
      're:one\n',
      'two\n',
      're:two\n',
    ]);
    if (!toolMissing('tshark')) {
      expect(tsharkFollow(file, 0, 'udp').client.toString()).toBe('one\ntwo\n');
      expect(tsharkWarnings(file)).toEqual([]);
    }
  });

  it('a reset by the peer shows as RST from the peer', async () => {
    const srv = await tcpServer((s) => s.on('data', () => s.resetAndDestroy()));
    cleanups.push(() => srv.close());
    const file = join(tempDir(), 'r.pcap');
    const r = await runCli(['--pcap', file, '127.0.0.1', String(srv.port)], 'x');
    expect(r.code).toBe(1);
    const packets = readPackets(file);
    const last = packets.at(-1)!;
    expect(last.flags! & 0x04).toBe(4);
    expect(last.srcPort).toBe(srv.port);
    if (!toolMissing('tcpdump')) expect(tcpdumpRead(file).at(-1)).toMatch(/Flags \[R/);
  });

  it('a path that cannot be written is a usage error before connecting', async () => {
    const r = await runCli(['--pcap', '/nonexistent-dir/x.pcap', '127.0.0.1', '9'], '');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^sockrepl: --pcap \/nonexistent-dir\/x\.pcap: ENOENT/);
  });
});
