import { spawn, spawnSync } from 'node:child_process';
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { NetError } from '../../../src/errors.js';
import { closeAllOpen, connect, listen } from '../../../src/modes/library.js';
import type { Tube } from '../../../src/tube/tube.js';
import { cleanupAfterEach } from '../../helpers/cleanups.js';

/** The library's pwntools habits and resource handling, on real loopback sockets. */

const cleanups = cleanupAfterEach();
afterEach(async () => {
  await closeAllOpen();
});

async function pair(): Promise<{ client: Tube; server: Tube }> {
  const l = await listen(0, { host: '127.0.0.1' });
  cleanups.push(() => l.close());
  const client = await connect('127.0.0.1', l.port);
  const server = await l.accept();
  return { client, server };
}

/** Waits until `tube` has `n` bytes buffered (bounded; no fixed sleep). */
async function buffered(tube: Tube, n: number): Promise<void> {
  for (let i = 0; i < 500 && tube.buffered < n; i++) await new Promise((r) => setTimeout(r, 10));
  expect(tube.buffered).toBeGreaterThanOrEqual(n);
}

describe('pwntools habits', () => {
  it('canRecv says whether bytes are there or come in time, and consumes nothing', async () => {
    const { client, server } = await pair();
    expect(await client.canRecv()).toBe(false);
    expect(await client.canRecv(20)).toBe(false);
    const waiting = client.canRecv('10s');
    await server.send('x');
    expect(await waiting).toBe(true);
    expect(client.buffered).toBe(1);
    expect((await client.recv()).toString()).toBe('x');
    server.shutdown('write');
    expect(await client.canRecv('10s')).toBe(false);
  });

  it('recvRepeat gathers until the time is up or the input ends, without a TimeoutError', async () => {
    const { client, server } = await pair();
    await server.send('one ');
    await buffered(client, 4);
    expect((await client.recvRepeat(50)).toString()).toBe('one ');
    await server.send('two ');
    await server.send('three');
    server.shutdown('write');
    expect((await client.recvRepeat('10s')).toString()).toBe('two three');
  });

  it('clean drops what is buffered (and what arrives within its timeout) and returns it', async () => {
    const { client, server } = await pair();
    await server.send('banner\n');
    await buffered(client, 7);
    expect((await client.clean()).toString()).toBe('banner\n');
    expect(client.buffered).toBe(0);
    expect((await client.clean(30)).length).toBe(0);
    await server.sendLine('next');
    expect((await client.recvLine({ keepEnds: false })).toString()).toBe('next');
  });

  it('recvRepeat keeps the bytes when the connection is reset, and rethrows', async () => {
    const { client, server } = await pair();
    await server.send('kept');
    await buffered(client, 4);
    server.setOption('linger', 0);
    server.reset();
    await expect(client.recvRepeat('10s')).rejects.toBeInstanceOf(NetError);
    expect(client.buffer.takeAll().toString()).toBe('kept');
  });
});

describe('resources', () => {
  it('await using closes a tube and a listener at the end of the block', async () => {
    let port = 0;
    let tube: Tube | undefined;
    {
      await using server = await listen(0, { host: '127.0.0.1' });
      port = server.port;
      await using c = await connect('127.0.0.1', port);
      tube = c;
      expect(c.info().closed).toBe(false);
    }
    expect(tube.info().closed).toBe(true);
    await expect(connect('127.0.0.1', port, { timeout: '5s' })).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });
});

const python = spawnSync('python3', ['-c', 'pass']).status === 0;

describe('connect timeout', () => {
  it.skipIf(!python)("`timeout` bounds the connect when the listener's backlog is full", async () => {
    // A listener that never accepts, with the smallest backlog: once its queue is full the kernel
    // drops further SYNs and a connect waits for ever (Node cannot listen without accepting).
    const peer = spawn(
      'python3',
      [
        '-c',
        'import socket,sys\ns=socket.socket()\ns.bind(("127.0.0.1",0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\nsys.stdin.read()',
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    cleanups.push(() => peer.kill());
    const port = await new Promise<number>((resolve) =>
      peer.stdout.once('data', (d) => resolve(Number(String(d)))),
    );
    // Fill the accept queue: connects complete until it is full; the first one that hangs shows it.
    const fillers: net.Socket[] = [];
    cleanups.push(() => {
      for (const s of fillers) s.destroy();
    });
    for (let i = 0; i < 16; i++) {
      const s = net.connect(port, '127.0.0.1');
      fillers.push(s);
      const done = await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), 500);
        s.once('connect', () => {
          clearTimeout(t);
          resolve(true);
        });
      });
      if (!done) break;
    }
    const started = performance.now();
    await expect(connect('127.0.0.1', port, { timeout: 300 })).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    // Bounded by the timeout, not by the kernel's minutes of SYN retries (a generous margin).
    expect(performance.now() - started).toBeLessThan(15_000);
  });
});
