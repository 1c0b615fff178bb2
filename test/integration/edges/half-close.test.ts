import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { CliProcess } from '../../helpers/cli.js';
import { tcpServer } from '../../helpers/servers.js';

/**
 * Issue 16 item 9: with -N at both ends, the peer's FIN (its standard input ended) used to make us
 * drop the rest of ours. A FIN says the peer sends no more, not that it reads no more.
 */
const cleanups = cleanupAfterEach();
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function start(args: string[]): CliProcess {
  const p = new CliProcess(args);
  cleanups.push(() => p.kill());
  return p;
}

/** 1 MiB blocks of a counter pattern: a lost, repeated or reordered block changes the hash. */
function payload(mib: number): Buffer {
  const b = Buffer.allocUnsafe(mib << 20);
  for (let i = 0; i < b.length; i += 4) b.writeUInt32LE(Math.imul(i, 2654435761) >>> 0, i);
  return b;
}

/** Writes to a child's standard input with backpressure. */
async function feed(p: CliProcess, data: Buffer): Promise<void> {
  if (!p.child.stdin.write(data)) await new Promise((r) => p.child.stdin.once('drain', r));
}

describe('both ends -N', () => {
  it("the peer's FIN does not stop our sending: every byte of standard input arrives, then FIN", async () => {
    const server = start(['listen', '-N', '-v', '127.0.0.1', '0']);
    const port = await server.listeningPort();
    const client = start(['-N', '-v', '127.0.0.1', String(port)]);
    const data = payload(24);
    const half = 8 << 20;
    await feed(client, data.subarray(0, half));
    await server.waitForStderr(/Connection received/);
    // The server's standard input ends: it answers and half-closes.
    server.child.stdin.end('hi\n');
    await client.waitForStderr(/Peer sent FIN; still sending standard input until it ends/, 20_000);
    await feed(client, data.subarray(half));
    client.child.stdin.end();
    const [c, s] = await Promise.all([client.exited, server.exited]);
    expect(c.code).toBe(0);
    expect(s.code).toBe(0);
    expect(c.stdout.toString()).toBe('hi\n');
    expect(s.stdout.length).toBe(data.length);
    expect(sha(s.stdout)).toBe(sha(data));
  }, 60_000);

  it("--close-on-eof keeps nc's rule: the peer's FIN ends the connection with standard input still open", async () => {
    const server = start(['listen', '-N', '-v', '127.0.0.1', '0']);
    const port = await server.listeningPort();
    const client = start(['-N', '--close-on-eof', '127.0.0.1', String(port)]);
    client.child.stdin.write('early\n');
    await server.waitForStdout((out) => out.toString() === 'early\n', 20_000);
    server.child.stdin.end('bye\n');
    const c = await client.exited;
    expect(c.code).toBe(0);
    expect(c.stdout.toString()).toBe('bye\n');
    expect((await server.exited).code).toBe(0);
  }, 30_000);

  it('a peer that closes outright (RST at our next send) ends the run with exit 1 and a one-line error', async () => {
    const srv = await tcpServer((s) => s.end('closing\n', () => s.destroy()));
    cleanups.push(() => srv.close());
    const client = start(['-N', '-v', '127.0.0.1', String(srv.port)]);
    await client.waitForStderr(/Peer sent FIN; still sending/, 20_000);
    // The server closed its socket: these bytes meet an RST, which must not pass for success.
    // The RST shows at the send after it arrives; keep writing (bounded) until the client quits.
    for (let i = 0; i < 2000 && client.child.exitCode === null; i++) {
      client.child.stdin.write('are you there?\n');
      await new Promise((r) => setTimeout(r, 10));
    }
    const c = await client.exited;
    expect(c.code).toBe(1);
    expect(c.stdout.toString()).toBe('closing\n');
    expect(c.stderr).toMatch(/^sockrepl: send 127\.0\.0\.1:\d+: (ECONNRESET|EPIPE): /m);
    expect(c.stderr).toMatch(/peer (reset|closed) the connection/);
  }, 30_000);
});
