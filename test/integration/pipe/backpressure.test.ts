import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type * as net from 'node:net';
import type { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { CliProcess } from '../../helpers/cli.js';
import { connectTo, tcpServer } from '../../helpers/servers.js';

/** Memory stays bounded when one side is slow: sockrepl stops reading the other side instead. */
const cleanups = cleanupAfterEach();

const MiB = 1 << 20;

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

/**
 * Offers up to `total` bytes to a writable for at most `ms`, as fast as it accepts them. A wait for
 * 'drain' gives up after 100 ms and takes its listener with it.
 */
async function offer(to: Writable, total: number, ms: number) {
  const chunk = Buffer.alloc(MiB, 0x61);
  const deadline = Date.now() + ms;
  let sent = 0;
  while (sent < total && Date.now() < deadline) {
    sent += chunk.length;
    if (!to.write(chunk)) await once(to, 'drain', { signal: AbortSignal.timeout(100) }).catch(() => {});
  }
  return sent;
}

describe.runIf(process.platform === 'linux')('backpressure', () => {
  it('a peer that stops reading: standard input is no longer read, memory stays bounded', async () => {
    let peer: net.Socket | undefined;
    const srv = await tcpServer((s) => {
      peer = s;
      s.pause();
    });
    cleanups.push(() => srv.close());
    const p = new CliProcess(['127.0.0.1', String(srv.port)]);
    cleanups.push(() => p.kill());
    const offered = await offer(p.child.stdin, 512 * MiB, 3000);
    // Far less than was offered got through: the kernel buffers filled and sockrepl stopped reading.
    expect(offered).toBeLessThan(512 * MiB);
    expect(rssMiB(p.child.pid!)).toBeLessThan(200);
    peer?.destroy();
  });

  it('a standard output nobody reads: the socket is no longer read, memory stays bounded', async () => {
    const p = new CliProcess(['listen', '-v', '127.0.0.1', '0']);
    cleanups.push(() => p.kill());
    const port = await p.listeningPort();
    p.child.stdout.pause();
    const client = await connectTo(port);
    cleanups.push(() => client.destroy());
    const offered = await offer(client, 512 * MiB, 3000);
    expect(offered).toBeLessThan(512 * MiB);
    expect(rssMiB(p.child.pid!)).toBeLessThan(200);
  });
});
