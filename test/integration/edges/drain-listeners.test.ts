import { createHash } from 'node:crypto';
import type * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import type { Channel } from '../../../src/net/channel.js';
import { connectTcp } from '../../../src/net/tcp-connect.js';
import { relay, sendToAll } from '../../../src/pipe/pump.js';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { CliProcess } from '../../helpers/cli.js';
import { connectTo, tcpServer } from '../../helpers/servers.js';
import { until } from './until.js';

/**
 * Issue 16 item 8: waiting for a slow peer to drain must not add a 'drain' listener per refused
 * send (a proxy with a slow upstream printed 166 MaxListenersExceededWarning lines in 70 s).
 */
const cleanups = cleanupAfterEach();
const MiB = 1024 * 1024;

/** A channel to a server that reads nothing until `read()` is called. */
async function stalledPeer(): Promise<{ ch: Channel; read(): Promise<number> }> {
  let peer: net.Socket | undefined;
  const srv = await tcpServer((s) => {
    peer = s;
    s.pause();
  });
  cleanups.push(() => srv.close());
  const ch = await connectTcp('127.0.0.1', srv.port, { socket: {} });
  cleanups.push(() => ch.reset());
  await until(() => peer !== undefined, 'the server to accept');
  return {
    ch,
    read: () =>
      new Promise((resolve) => {
        let n = 0;
        peer!.on('data', (d: Buffer) => {
          n += d.length;
        });
        peer!.on('end', () => resolve(n));
        peer!.resume();
      }),
  };
}

const noInput = { pause() {}, resume() {} };

describe('one drain wait per channel, however many sends it refused', () => {
  it('sendToAll: 24 refused 1 MiB chunks leave at most one drain listener', async () => {
    const { ch, read } = await stalledPeer();
    let refused = 0;
    for (let i = 0; i < 24; i++) {
      sendToAll(noInput, [ch], Buffer.alloc(MiB, i));
      if (ch.listenerCount('drain') > 0) refused++;
      expect(ch.listenerCount('drain')).toBeLessThanOrEqual(1);
    }
    expect(refused).toBeGreaterThan(0);
    const got = read();
    ch.shutdown('write');
    expect(await got).toBe(24 * MiB);
    await ch.close();
    expect(ch.listenerCount('drain')).toBe(0);
  });

  it('--broker relay: 16 sources relaying to one slow client add one drain listener', async () => {
    const { ch: target } = await stalledPeer();
    // Fill the target first, so every relay below is refused.
    while (target.send(Buffer.alloc(MiB))) {}
    const sources = Array.from({ length: 16 }, () => ({
      paused: 0,
      pause() {
        this.paused++;
      },
      resume() {},
    }));
    for (const s of sources) relay(s as unknown as Channel, [target], Buffer.alloc(64 * 1024));
    expect(target.listenerCount('drain')).toBe(1);
    expect(sources.every((s) => s.paused === 1)).toBe(true);
  });

  it('proxy: a slow upstream behind a delay fault raises no MaxListenersExceededWarning', async () => {
    let upstream: net.Socket | undefined;
    const srv = await tcpServer((s) => {
      upstream = s;
      s.pause();
    });
    cleanups.push(() => srv.close());
    const p = new CliProcess([
      'proxy',
      '0',
      '127.0.0.1',
      String(srv.port),
      '-s',
      '127.0.0.1',
      '-v',
      '--fault',
      'fragment:4096,gap=0ms,dir=in',
      '--upstream-sndbuf',
      '64k',
    ]);
    cleanups.push(() => p.kill());
    const port = await p.listeningPort();
    const c = await connectTo(port);
    cleanups.push(() => c.destroy());
    const payload = Buffer.alloc(24 * MiB);
    for (let i = 0; i < payload.length; i += 4) payload.writeUInt32LE((i * 2654435761) >>> 0, i);
    c.end(payload);
    await until(() => upstream !== undefined, 'the upstream connection');
    // The upstream reads nothing while the proxy's buffers fill and its sends are refused.
    await p.waitForStderr(/upstream 127\.0\.0\.1:\d+ connected/);
    const hash = createHash('sha256');
    let n = 0;
    const done = new Promise<void>((resolve) => upstream!.on('end', resolve));
    upstream!.on('data', (d: Buffer) => {
      n += d.length;
      hash.update(d);
    });
    // Read slowly at first: many refused sends, each of which used to add a listener.
    for (let i = 0; i < 40 && n < payload.length; i++) {
      upstream!.resume();
      await new Promise((r) => setImmediate(r));
      upstream!.pause();
      await new Promise((r) => setTimeout(r, 5));
    }
    upstream!.resume();
    await done;
    expect(n).toBe(payload.length);
    expect(hash.digest('hex')).toBe(createHash('sha256').update(payload).digest('hex'));
    expect(p.stderr).not.toMatch(/MaxListenersExceeded/);
  }, 60_000);
});
