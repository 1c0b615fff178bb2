import type * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { connectTo } from '../../helpers/servers.js';
import {
  dataBytes,
  events,
  expectStderrLines,
  finish,
  fixture,
  recordingServer,
  start,
  until,
} from './bad-plugin-helpers.js';

/**
 * The bad-plugin matrix for faults at run time, in each mode that runs them: a fault that throws,
 * rejects or forwards garbage per chunk, or fails on close, is switched off with one line naming
 * the plugin, the fault and the hook; the connection goes on and every byte arrives, in order.
 * A fault misbehaves from the second chunk it sees: each chunk is sent once the last one arrived.
 */

const cleanups = cleanupAfterEach();
const PLUGIN = fixture('bad-faults.ts');
const CHUNKS = ['one,', 'two,', 'three'];
const ALL = CHUNKS.join('');

const PER_CHUNK = [
  ['throws', 'data-throws', 'onData() threw Error: boom'],
  ['rejects', 'data-rejects', 'onData() rejected Error: boom'],
  [
    'forwards text',
    'data-string',
    "onData() called ctx.forward('out', a string); it takes 'in' or 'out' and bytes (a Uint8Array: Buffer.from(text))",
  ],
  [
    'forwards text, catching the refusal',
    'data-string-caught',
    "onData() called ctx.forward('out', a string)",
  ],
] as const;

/** `sockrepl: fault: plugin 'bad-faults': fault 'x' <what>...; fault #1 x is off, the connections go on`. */
const failureLine = (name: string, what: string, spec = `${name},dir=out`) =>
  new RegExp(
    `^sockrepl: fault: plugin 'bad-faults': fault '${name}' ${reEscape(what)}.*; fault #1 ${reEscape(spec)} is off, the connections go on$`,
  );

describe('pipe mode: a fault that fails per chunk', () => {
  for (const [how, name, what] of PER_CHUNK) {
    it(`${how}: one line, every byte delivered, exit 0`, async () => {
      const srv = await recordingServer(cleanups);
      const p = start(cleanups, [
        '--plugin',
        PLUGIN,
        '--fault',
        `${name},dir=out`,
        '-N',
        '127.0.0.1',
        String(srv.port),
      ]);
      let sent = '';
      for (const c of CHUNKS) {
        p.child.stdin.write(c);
        sent += c;
        await until(
          () => srv.received() === sent,
          `the server to receive ${JSON.stringify(sent)} (got ${JSON.stringify(srv.received())})`,
        );
      }
      p.child.stdin.end();
      const r = await finish(p);
      expect(r.code).toBe(0);
      expect(srv.received()).toBe(ALL);
      expectStderrLines(r.stderr, failureLine(name, what));
    });
  }

  it('async onClose rejects: every byte delivered, then one line', async () => {
    const srv = await recordingServer(cleanups);
    const p = start(cleanups, [
      '--plugin',
      PLUGIN,
      '--fault',
      'close-rejects',
      '-N',
      '127.0.0.1',
      String(srv.port),
    ]);
    p.child.stdin.end(ALL);
    const r = await finish(p);
    expect(r.code).toBe(0);
    expect(srv.received()).toBe(ALL);
    expectStderrLines(
      r.stderr,
      failureLine('close-rejects', 'onClose() rejected Error: boom', 'close-rejects'),
    );
  });

  it('onData returning garbage is ignored: no message, every byte delivered', async () => {
    const srv = await recordingServer(cleanups);
    const p = start(cleanups, [
      '--plugin',
      PLUGIN,
      '--fault',
      'data-garbage',
      '-N',
      '127.0.0.1',
      String(srv.port),
    ]);
    p.child.stdin.end(ALL);
    const r = await finish(p);
    expect([r.code, srv.received(), r.stderr]).toEqual([0, ALL, '']);
  });
});

describe('--json: a fault that fails per chunk', () => {
  for (const [how, name, what] of PER_CHUNK) {
    it(`${how}: an error notice naming it, every byte delivered, the session goes on`, async () => {
      const srv = await recordingServer(cleanups, { endAfter: ALL.length });
      const p = start(cleanups, [
        '--json',
        '--plugin',
        PLUGIN,
        '--fault',
        `${name},dir=out`,
        '127.0.0.1',
        String(srv.port),
      ]);
      let sent = '';
      for (const c of CHUNKS) {
        p.child.stdin.write(`/send ${c}\n`);
        sent += c;
        await until(() => srv.received() === sent, `the server to receive ${JSON.stringify(sent)}`);
      }
      p.child.stdin.end();
      const r = await finish(p);
      expect(r.code).toBe(0);
      expect(srv.received()).toBe(ALL);
      const evs = events(r.stdout);
      expect(dataBytes(evs, 'out')).toBe(ALL);
      const notices = evs.filter((e) => e.type === 'notice' && e.level === 'error');
      expect(notices).toHaveLength(1);
      expect(String(notices[0]!.text)).toMatch(
        new RegExp(
          `^plugin 'bad-faults': fault '${name}' ${reEscape(what)}.*; fault #1 ${name},dir=out is off, the connections go on$`,
        ),
      );
      expect(evs.filter((e) => e.type === 'result').map((e) => e.ok)).toEqual([true, true, true]);
      expect(r.stderr).toBe('');
    });
  }
});

describe('proxy: a fault that fails per chunk', () => {
  for (const [how, name, what] of PER_CHUNK) {
    it(`${how}: one line; both directions arrive byte for byte`, async () => {
      const upstream = await recordingServer(cleanups, { echo: true });
      const proxy = start(cleanups, [
        'proxy',
        '0',
        '127.0.0.1',
        String(upstream.port),
        '-s',
        '127.0.0.1',
        '-v',
        '--plugin',
        PLUGIN,
        '--fault',
        `${name},dir=out`,
      ]);
      const port = Number((await proxy.waitForStderr(/Listening on \S+ (\d+)/, 15_000))[1]);
      const client = await connectTo(port);
      cleanups.push(() => client.destroy());
      const back = echoed(client);
      let sent = '';
      for (const c of CHUNKS) {
        client.write(c);
        sent += c;
        await until(
          () => upstream.received() === sent && back() === sent,
          `${JSON.stringify(sent)} to go up and come back`,
        );
      }
      await proxy.waitForStderr(/fault #1 .* is off/);
      const lines = proxy.stderr.split('\n').filter((l) => l.startsWith('sockrepl: '));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(failureLine(name, what));
      expect(proxy.stderr).not.toMatch(/^\s+at /m);
      client.end();
      proxy.child.kill('SIGTERM');
      expect((await finish(proxy)).code).toBe(0);
    });
  }
});

/** What a client socket has received so far, as a function to poll. */
function echoed(socket: net.Socket): () => string {
  let got = '';
  socket.on('data', (d: Buffer) => {
    got += d.toString('latin1');
  });
  return () => got;
}

function reEscape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
