import { createHash, randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { CliProcess, sleep } from '../../helpers/cli.js';
import { connectTo } from '../../helpers/servers.js';

// `listen -k` with a crowd: idle clients cost a little memory each and nothing else, a bulk client
// among them still reaches standard output byte for byte (it moves onto the reused read buffer
// mid-stream), and a line of standard input reaches every one. bench/listen-scale.mjs does the
// same with 11,000 clients and measures it.

const cleanups = cleanupAfterEach();
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const IDLE = 200;

async function until(what: string, test: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('listen -k with a crowd of clients', () => {
  it(`holds ${IDLE} idle clients, takes 3 MiB from a bulk one whole, and sends standard input to all`, async () => {
    const p = new CliProcess(['listen', '-k', '-v', '127.0.0.1', '0']);
    cleanups.push(() => p.kill());
    const port = await p.listeningPort();
    const idle: { socket: Socket; got: string; closed: boolean }[] = [];
    for (let wave = 0; wave < IDLE; wave += 50) {
      const sockets = await Promise.all(Array.from({ length: 50 }, () => connectTo(port)));
      for (const socket of sockets) {
        const c = { socket, got: '', closed: false };
        cleanups.push(() => socket.destroy());
        socket.on('data', (d) => {
          c.got += d;
        });
        socket.on('close', () => {
          c.closed = true;
        });
        idle.push(c);
      }
    }
    const accepted = () => (p.stderr.match(/Connection received/g) ?? []).length;
    await until(`${IDLE} clients accepted`, () => accepted() >= IDLE);

    const bulk = await connectTo(port);
    cleanups.push(() => bulk.destroy());
    const data = randomBytes(3 * 1024 * 1024);
    for (let at = 0; at < data.length; at += 50_000) {
      if (!bulk.write(data.subarray(at, at + 50_000))) await new Promise((r) => bulk.once('drain', r));
    }
    bulk.end();
    await p.waitForStdout((out) => out.length >= data.length);
    expect(sha(p.stdout)).toBe(sha(data));

    p.child.stdin.write('to every client\n');
    await until('the line at every idle client', () => idle.every((c) => c.got === 'to every client\n'));
    expect(idle.filter((c) => c.closed)).toHaveLength(0);
    expect(p.child.exitCode).toBeNull();
    expect(p.stderr).not.toMatch(/sockrepl:/);
  });
});
