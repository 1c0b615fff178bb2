import * as dgram from 'node:dgram';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILTIN_PLUGINS } from '../../../plugins/index.js';
import { FaultController } from '../../../src/fault/fault-controller.js';
import { createInterpreter, createSession, startSession } from '../../../src/modes/open-session.js';
import { connectUdp } from '../../../src/net/udp.js';
import { PluginRegistry } from '../../../src/plugin/registry.js';
import type { Session } from '../../../src/session/session.js';
import type { SessionEvent } from '../../../src/session/session-events.js';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { CliProcess, sleep } from '../../helpers/cli.js';
import { parseJsonEvents } from '../../helpers/json-events.js';
import { defaultOptions, startServer, type TestServer, until } from '../../helpers/session-fixtures.js';

let server: TestServer | undefined;
let session: Session | undefined;
const cleanups = cleanupAfterEach();

async function serve(): Promise<TestServer> {
  const s = await startServer();
  server = s;
  cleanups.push(() => s.close());
  return s;
}

async function connected(patch = {}) {
  server = await serve();
  const spec = {
    kind: 'connect' as const,
    host: '127.0.0.1',
    port: server.port,
    options: defaultOptions(patch),
  };
  const s = await createSession(spec, { decodeText: true, kernelRefreshMs: 0 });
  session = s;
  cleanups.push(() => s.close());
  const events: SessionEvent[] = [];
  session.on('event', (e) => events.push(e));
  await startSession(session, spec);
  const peer = await server.nextSocket();
  return { s: session, peer, events, run: createInterpreter(session, { defaultExpectTimeoutMs: 2000 }) };
}

describe('faults in a session', () => {
  it('/fault switches a delay on and off at any time; /fault list shows it; sends keep their order', async () => {
    const { run } = await connected();
    await run.execute('fast');
    await server!.waitFor('fast\n');
    const on = await run.execute('/fault delay:300ms dir=out');
    expect(on.ok).toBe(true);
    expect(on.lines[0]).toMatch(
      /^fault #1 delay:300ms,dir=out on \(sent bytes\) {2}\(fault seed \d+ \(--seed \d+ repeats this run\)\)$/,
    );
    expect((await run.execute('/fault list')).lines[0]).toBe('#1 delay:300ms,dir=out (sent bytes)');
    const t0 = performance.now();
    await run.execute('slow');
    await server!.waitFor('slow\n', 5000);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);

    // Switched off while bytes are held: they go at once, before what follows.
    await run.execute('held');
    const off = await run.execute('/fault clear');
    expect(off.lines).toEqual(['faults off: #1 delay:300ms,dir=out']);
    await run.execute('after');
    const all = await server!.waitFor('after\n', 1000);
    expect(all.toString()).toBe('fast\nslow\nheld\nafter\n');
  });

  it('--fault applies from the start and is announced with the seed; the status knows it', async () => {
    const { s, events } = await connected({ fault: ['fragment:2,gap=1ms,dir=out'], seed: 99 });
    expect(s.faults?.summary()).toBe('fragment:2,gap=1ms,dir=out');
    const notice = events.find((e) => e.type === 'notice' && /^faults on:/.test(e.text));
    expect(notice).toMatchObject({ text: 'faults on: fragment:2,gap=1ms,dir=out; fault seed 99' });
    await createInterpreter(s).execute('/send abcde');
    await server!.waitFor('abcde');
    // The traffic view shows what left: three pieces.
    await until(
      () => events.filter((e) => e.type === 'data' && e.dir === 'out').length === 3,
      2000,
      'pieces',
    );
    const out = events.filter((e) => e.type === 'data' && e.dir === 'out');
    expect(out.map((e) => (e.type === 'data' ? e.bytes.toString() : ''))).toEqual(['ab', 'cd', 'e']);
  });

  it('a bad /fault is one clear line and changes nothing', async () => {
    const { run, s } = await connected();
    const bad = await run.execute('/fault delay:300ms dir=sideways');
    expect(bad.ok).toBe(false);
    expect(bad.error?.exitCode).toBe(2);
    expect(bad.lines).toEqual([
      "fault 'delay:300ms,dir=sideways': dir: 'sideways' is not one of in, out, both",
    ]);
    expect(s.faults?.active).toEqual([]);
  });

  it('a plugin fault that throws is switched off and its plugin disabled; nothing is lost, the session goes on', async () => {
    const plugin = resolve(import.meta.dirname, 'fixtures/flaky-fault.ts');
    const { run, s, events } = await connected({ plugin: [plugin], fault: ['flaky,dir=out'] });
    for (const word of ['one', 'two', 'three', 'four']) expect((await run.execute(word)).ok).toBe(true);
    const all = await server!.waitFor('four\n');
    expect(all.toString()).toBe('one\ntwo\nthree\nfour\n');
    const error = events.find((e) => e.type === 'notice' && e.level === 'error');
    expect(error).toMatchObject({
      text: "plugin 'flaky': fault 'flaky' onData() threw TypeError: cannot read properties of undefined; fault #1 flaky,dir=out is off, the connections go on",
    });
    expect(s.faults?.active).toEqual([]);
    expect(s.plugins?.plugins.find((p) => p.plugin.name === 'flaky')?.disabled).toMatch(/threw TypeError/);
    const again = await run.execute('/fault flaky');
    expect(again.lines[0]).toMatch(/fault 'flaky' belongs to plugin 'flaky', which is disabled/);
  });

  it('--json: faults from the command line and /fault, results as JSON', async () => {
    server = await serve();
    const p = new CliProcess([
      '--json',
      '--seed',
      '5',
      '--fault',
      'delay:100ms',
      '127.0.0.1',
      String(server.port),
    ]);
    cleanups.push(() => p.kill());
    await p.waitForStdout((o) => o.includes('"type":"open"'));
    p.child.stdin.write('/fault list\n/fault throttle:1k,dir=in\n/fault off delay\nhi\n');
    await server.waitFor('hi\n');
    await p.waitForStdout(
      (o) =>
        o
          .toString()
          .split('\n')
          .filter((l) => l.includes('"type":"result"')).length >= 3,
    );
    p.child.stdin.end('/quit\n');
    await p.exited;
    const lines = parseJsonEvents<Record<string, unknown>>(p.stdout);
    const notices = lines.filter((l) => l.type === 'notice').map((l) => l.text);
    expect(notices).toContain('faults on: delay:100ms; fault seed 5');
    expect(notices).toContain('fault: TCP_NODELAY set, so segments leave as the faults shape them');
    const results = lines.filter((l) => l.type === 'result');
    expect(results[0]).toMatchObject({
      command: 'fault',
      data: { seed: 5, faults: [{ id: 1, name: 'delay', dir: 'both' }] },
    });
    expect(results[1]).toMatchObject({
      command: 'fault',
      data: { on: { id: 2, spec: 'throttle:1k,dir=in', dir: 'in' } },
    });
    expect(results[2]).toMatchObject({ command: 'fault', lines: ['fault off: #1 delay:100ms'] });
  });
});

describe('seeded drop over UDP', () => {
  it('drops the same datagrams for the same seed, others for another', async () => {
    const run = async (seed: number) => {
      const srv = dgram.createSocket('udp4');
      await new Promise<void>((r) => srv.bind(0, '127.0.0.1', r));
      const got: number[] = [];
      srv.on('message', (m) => got.push(m.readUInt16BE(0)));
      const faults = new FaultController(new PluginRegistry({ builtins: BUILTIN_PLUGINS }), {
        proto: 'udp',
        seed,
        log: () => {},
      });
      faults.add('drop:0.3,dir=out');
      const ch = faults.wrap(
        await connectUdp('127.0.0.1', srv.address().port, defaultOptions({ udp: true })),
      );
      for (let i = 0; i < 200; i++) {
        const d = Buffer.alloc(2);
        d.writeUInt16BE(i);
        ch.send(d);
        if (i % 20 === 19) await sleep(5);
      }
      await sleep(200);
      await ch.close();
      srv.close();
      return got.sort((a, b) => a - b);
    };
    const a = await run(7);
    expect(a.length).toBeGreaterThan(110);
    expect(a.length).toBeLessThan(170);
    expect(await run(7)).toEqual(a);
    expect(await run(8)).not.toEqual(a);
  });
});
