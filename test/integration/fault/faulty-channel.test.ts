import { createHash } from 'node:crypto';
import type * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { BUILTIN_PLUGINS } from '../../../plugins/index.js';
import { FaultController } from '../../../src/fault/fault-controller.js';
import { HOLD_HIGH_WATER } from '../../../src/fault/faulty-channel.js';
import { connectTcp } from '../../../src/net/tcp-connect.js';
import { PluginRegistry } from '../../../src/plugin/registry.js';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { sleep } from '../../helpers/cli.js';
import { until } from '../../helpers/peers.js';
import { tcpServer } from '../../helpers/servers.js';
import { defaultOptions } from '../../helpers/session-fixtures.js';

const cleanups = cleanupAfterEach();

function controller() {
  const logs: string[] = [];
  const faults = new FaultController(new PluginRegistry({ builtins: BUILTIN_PLUGINS }), {
    proto: 'tcp',
    seed: 1,
    log: (text) => logs.push(text),
  });
  return { faults, logs };
}

async function pair(onServer: (s: net.Socket) => void, borrowedReads = false) {
  const srv = await tcpServer(onServer);
  cleanups.push(() => srv.close());
  const raw = await connectTcp('127.0.0.1', srv.port, { ...defaultOptions(), borrowedReads });
  cleanups.push(() => raw.reset());
  return raw;
}

describe('a connection wrapped in faults (real sockets)', () => {
  it('keeps borrowed reads intact while a fault holds them', async () => {
    const data = Buffer.from(Array.from({ length: 2 * 1024 * 1024 }, (_, i) => (i * 31) & 0xff));
    const raw = await pair((s) => s.end(data), true);
    const { faults } = controller();
    faults.add('delay:20ms,dir=in');
    const ch = faults.wrap(raw);
    const hash = createHash('sha256');
    let n = 0;
    ch.on('data', (d) => {
      n += d.length;
      hash.update(d);
    });
    await new Promise<void>((r) => ch.on('end', r));
    expect(n).toBe(data.length);
    expect(hash.digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it("reports the peer's FIN after every byte the faults hold, and sends ours after what they hold", async () => {
    let serverGot: { at: number; what: string }[] = [];
    let t0 = 0;
    const raw = await pair((s) => {
      s.on('data', (d) => serverGot.push({ at: performance.now() - t0, what: d.toString() }));
      s.on('end', () => serverGot.push({ at: performance.now() - t0, what: 'FIN' }));
      s.end('from server');
    });
    const { faults } = controller();
    faults.add('delay:200ms');
    const ch = faults.wrap(raw);
    const seen: string[] = [];
    ch.on('data', (d) => seen.push(d.toString()));
    ch.on('end', () => seen.push('FIN'));
    serverGot = [];
    t0 = performance.now();
    ch.send(Buffer.from('hello'));
    ch.shutdown('write');
    expect(ch.writeClosed).toBe(true);
    await new Promise<void>((r) => ch.on('close', () => r()));
    expect(seen).toEqual(['from server', 'FIN']);
    expect(serverGot.map((g) => g.what)).toEqual(['hello', 'FIN']);
    expect(serverGot[0]!.at).toBeGreaterThanOrEqual(190);
    expect(serverGot[1]!.at).toBeGreaterThanOrEqual(serverGot[0]!.at);
  });

  it('holds back a sender beyond the high-water mark, then drains in order when the fault is off', async () => {
    const hash = createHash('sha256');
    let got = 0;
    let done!: () => void;
    const finished = new Promise<void>((r) => {
      done = r;
    });
    const raw = await pair((s) => {
      s.on('data', (d: Buffer) => {
        got += d.length;
        hash.update(d);
      });
      s.on('end', () => done());
    });
    const { faults } = controller();
    faults.add('stall,dir=out');
    const ch = faults.wrap(raw);
    const sent = createHash('sha256');
    let queued = 0;
    let i = 0;
    // Bounded: stops at the first refusal, or after 64 MiB.
    for (; i < 1024; i++) {
      const chunk = Buffer.alloc(64 * 1024, i & 0xff);
      sent.update(chunk);
      queued += chunk.length;
      if (!ch.send(chunk)) break;
    }
    expect(queued).toBeGreaterThan(HOLD_HIGH_WATER);
    expect(queued).toBeLessThanOrEqual(HOLD_HIGH_WATER + 64 * 1024);
    await sleep(50);
    expect(got).toBe(0);
    const drained = new Promise<void>((r) => ch.once('drain', r));
    faults.clear();
    await drained;
    ch.shutdown('write');
    await finished;
    expect(got).toBe(queued);
    expect(hash.digest('hex')).toBe(sent.digest('hex'));
  });

  it('a fault added to an open connection acts from then on, until= counted from then', async () => {
    const reads: { at: number; bytes: number }[] = [];
    let t0 = 0;
    const raw = await pair((s) =>
      s.on('data', (d: Buffer) => reads.push({ at: performance.now() - t0, bytes: d.length })),
    );
    const { faults } = controller();
    const ch = faults.wrap(raw);
    ch.send(Buffer.from('before'));
    await until(() => reads.length === 1, 20_000, "'before'");
    t0 = performance.now();
    faults.add('delay:150ms,dir=out,until=400ms');
    ch.send(Buffer.from('during'));
    await until(() => reads.length === 2, 20_000, "'during'");
    expect(reads[1]!.at).toBeGreaterThanOrEqual(140);
    // Bounds below only: a loaded machine makes every wait longer, never shorter.
    expect(ch.pipeline.live('out')).toBe(true);
    await until(() => ch.pipeline.stages.length === 0, 20_000, 'the fault to switch itself off');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(395);
    ch.send(Buffer.from('after!'));
    expect(ch.pipeline.held('out')).toBe(0);
    await until(() => reads.length === 3, 20_000, "'after!'");
    expect(reads.map((r) => r.bytes)).toEqual([6, 6, 6]);
  });
});
