import { spawn } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { closeSync, readFileSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { connect, listen, type Tube } from '../../../src/index.js';
import { POLLIN, watchReadable } from '../../../src/net/fd-poller.js';
import { nativeSockets } from '../../../src/net/native.js';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { waitUntil } from '../../helpers/processes.js';

/**
 * The one polling thread for descriptors libuv cannot watch (net/fd-poller.ts): readiness is
 * one-shot per arm, closing lets go of the descriptor, and however many unix datagram sockets are
 * open, libuv's pool stays free (before, each took a pool thread: four hung every fs and dns call).
 */
const cleanups = cleanupAfterEach();
const DIST_INDEX = fileURLToPath(new URL('../../../dist/src/index.js', import.meta.url));

/** A pipe whose read end is watched; `readies` counts the reports. */
function watchedPipe() {
  const [read, write] = nativeSockets().pipe();
  const revents: number[] = [];
  const watch = watchReadable(read, { ready: (r) => revents.push(r), failed: () => revents.push(-1) });
  cleanups.push(async () => {
    await watch.close();
    closeSync(read);
    closeSync(write);
  });
  return { read, write, watch, revents };
}

describe.runIf(process.platform === 'linux')('the polling thread', () => {
  it('reports a readable descriptor once per arm', async () => {
    const p = watchedPipe();
    p.watch.arm();
    writeSync(p.write, 'x');
    await waitUntil(() => p.revents.length === 1, 'the first report');
    expect(p.revents[0]! & POLLIN).toBe(POLLIN);
    // Still readable (nobody read the byte), but not armed: no second report until arm().
    await new Promise((r) => setTimeout(r, 200));
    expect(p.revents).toHaveLength(1);
    p.watch.arm();
    await waitUntil(() => p.revents.length === 2, 'the report after arming again');
  });

  it('watches many descriptors at once; close lets go of one while the others go on', async () => {
    const pipes = Array.from({ length: 12 }, () => watchedPipe());
    for (const p of pipes) p.watch.arm();
    await pipes[3]!.watch.close();
    for (const p of pipes) writeSync(p.write, 'x');
    await waitUntil(
      () => pipes.every((p, i) => i === 3 || p.revents.length === 1),
      'every armed pipe reported',
    );
    expect(pipes[3]!.revents).toEqual([]);
  });

  it('eight unix datagram sockets at once leave fs and dns working, and each receives', async () => {
    const name = `@sockrepl-poller-${process.pid}`;
    const listener = await listen(0, { unix: name, udp: true });
    cleanups.push(() => listener.close());
    const tubes: Tube[] = [];
    for (let i = 0; i < 7; i++) {
      const t = await connect('', 0, { unix: name, udp: true });
      cleanups.push(() => t.close());
      tubes.push(t);
    }
    // The pool is free: these would wait forever if the sockets held its four threads.
    expect(readFileSync('/proc/self/stat', 'utf8')).toMatch(/^\d+ /);
    await expect(lookup('localhost')).resolves.toBeDefined();
    const accepted: Tube[] = [];
    listener.on('tube', (t) => accepted.push(t));
    for (const [i, t] of tubes.entries()) await t.send(`hello ${i}`);
    await waitUntil(() => accepted.length === tubes.length, 'a connection per sender');
    for (const a of accepted) await a.sendLine('back');
    for (const t of tubes) await t.expect('back\n');
  });
});

/** Runs a small ES module against the built package; resolves with its exit code and output. */
function runModule(source: string): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', source], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cleanups.push(() => (child.exitCode === null ? child.kill('SIGKILL') : undefined));
  let stdout = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout })));
}

describe.runIf(process.platform === 'linux')('the polling thread and the end of the process', () => {
  it('process.exit() while a socket waits for datagrams: the process ends', async () => {
    const r = await runModule(`
      import { listen } from ${JSON.stringify(DIST_INDEX)};
      await listen(0, { unix: '@sockrepl-exit-' + process.pid, udp: true });
      setTimeout(() => { console.log('exiting'); process.exit(0); }, 100);
    `);
    expect(r).toEqual({ code: 0, stdout: 'exiting\n' });
  });

  it('an open socket keeps the process alive; once closed, the process ends by itself', async () => {
    const r = await runModule(`
      import { connect, listen } from ${JSON.stringify(DIST_INDEX)};
      const name = '@sockrepl-alive-' + process.pid;
      const l = await listen(0, { unix: name, udp: true });
      l.once('tube', async (t) => {
        const got = await t.recv();
        console.log('got ' + got.toString());
        await t.close();
        await l.close();
      });
      // The datagram comes later, from a timer: until then only the socket holds the process.
      setTimeout(async () => {
        const c = await connect('', 0, { unix: name, udp: true });
        await c.send('late');
        await c.close();
      }, 300);
    `);
    expect(r).toEqual({ code: 0, stdout: 'got late\n' });
  });
});
