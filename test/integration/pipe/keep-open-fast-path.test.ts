import { mkdtempSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BULK_BYTES } from '../../../src/pipe/bulk-upgrade.js';
import { readFlows } from '../../helpers/capture-tools.js';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { CliProcess, sleep } from '../../helpers/cli.js';
import { connectTo } from '../../helpers/servers.js';

/**
 * listen -k (pipe/solo-relay.ts): a client's received bytes move onto a relay worker while it is
 * the only client, after BULK_BYTES; when another connects they come back to the ordinary path
 * before the newcomer is read; alone again, they move again. Each client sends bytes from an
 * alphabet of its own, so that its stream can be picked out of standard output (where chunks of
 * the two interleave) and checked whole and in order.
 */
const cleanups = cleanupAfterEach();
const DEBUG = { SOCKREPL_DEBUG: '1' };
const ALONE =
  /received bytes go to stdout (?:by splice\(2\) )?on a worker thread.*while it is the only client/g;
const BACK = /received bytes go to stdout the ordinary way again: another client connected/;

/** Bytes of client `who`: a counter written with digits from its own alphabet, and a separator. */
const ALPHABET = { A: 'abcdefghijx', B: 'ABCDEFGHIJX' } as const;
function piece(who: 'A' | 'B', from: number, bytes: number): Buffer {
  const a = ALPHABET[who];
  let text = '';
  for (let n = from; text.length < bytes; n++)
    text += `${String(n)
      .padStart(7, '0')
      .replace(/\d/g, (d) => a[Number(d)]!)}${a[10]}`;
  return Buffer.from(text.slice(0, bytes));
}
const only = (out: Buffer, who: 'A' | 'B') => {
  const set = new Set(Buffer.from(ALPHABET[who]));
  return Buffer.from(out.filter((b) => set.has(b)));
};

/** Waits until `cond` holds (bounded by 30 s), saying what it waited for if not. */
async function until(cond: () => boolean, what: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what()}`);
    await sleep(20);
  }
}

/** A client that sends 32 KiB every 5 ms until stopped (at most 2000 pieces); `sent` so far. */
function streaming(socket: Socket, who: 'A' | 'B') {
  const parts: Buffer[] = [];
  let counter = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const next = () => {
    if (stopped || parts.length >= 2000) return;
    const p = piece(who, counter, 32 * 1024);
    counter += 4096;
    parts.push(p);
    if (socket.write(p)) timer = setTimeout(next, 5);
    else socket.once('drain', () => (timer = setTimeout(next, 5)));
  };
  next();
  return {
    sent: () => Buffer.concat(parts),
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** The bytes the dump shows for connection `conn`, received (no squeezed lines: no repeats). */
function dumpedIn(dump: string, conn: number): Buffer {
  const bytes: number[] = [];
  let mine = false;
  for (const line of dump.split('\n')) {
    if (/^[<>] /.test(line)) mine = line.startsWith('<') && line.includes(` conn=${conn} `);
    else if (mine && /^[0-9a-f]{8} {2}/.test(line))
      for (const hex of line.slice(10, 59).match(/[0-9a-f]{2}/g) ?? []) bytes.push(Number.parseInt(hex, 16));
  }
  return Buffer.from(bytes);
}

describe.runIf(process.platform === 'linux')(
  'listen -k: the only client uses a worker',
  { timeout: 90_000 },
  () => {
    it('one client: past the threshold its bytes go by a worker, all of them, in order', async () => {
      const p = new CliProcess(['listen', '-k', '-v', '127.0.0.1', '0'], DEBUG);
      cleanups.push(() => p.kill());
      const client = await connectTo(await p.listeningPort());
      cleanups.push(() => client.destroy());
      const payload = piece('A', 0, 3 * BULK_BYTES + 777);
      client.end(payload);
      await p.waitForStdout((out) => out.length >= payload.length, 30_000);
      await p.waitForStderr(/closed: peer closed/);
      expect(p.stdout.equals(payload)).toBe(true);
      expect(p.stderr).toMatch(/by splice\(2\) on a worker thread, while it is the only client/);
    });

    for (const extra of [[], ['-x'], ['--pcap']] as const) {
      it(`a second client brings the first back to the ordinary path, and it moves again once alone${extra.length ? ` (${extra[0]})` : ''}`, async () => {
        const dir = mkdtempSync(join(tmpdir(), 'sockrepl-keep-'));
        cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
        const pcap = join(dir, 'k.pcap');
        const args = extra[0] === '--pcap' ? ['--pcap', pcap] : [...extra];
        const p = new CliProcess(['listen', '-k', '-v', ...args, '127.0.0.1', '0'], DEBUG);
        cleanups.push(() => p.kill());
        const port = await p.listeningPort();
        const a = await connectTo(port);
        cleanups.push(() => a.destroy());
        const aFlow = streaming(a, 'A');
        cleanups.push(() => aFlow.stop());
        const alone = () => p.stderr.match(ALONE)?.length ?? 0;
        await until(
          () => alone() === 1,
          () => `A on a worker; stderr: ${p.stderr}`,
        );

        const b = await connectTo(port);
        cleanups.push(() => b.destroy());
        const bSent = piece('B', 0, 200_000);
        b.write(bSent);
        await until(
          () => BACK.test(p.stderr),
          () => `A back to the ordinary path; stderr: ${p.stderr}`,
        );
        await until(
          () => only(p.stdout, 'B').length === bSent.length,
          () => `B's bytes: ${only(p.stdout, 'B').length} of ${bSent.length}`,
        );
        b.end();
        await until(
          () => (p.stderr.match(/closed: /g)?.length ?? 0) === 1,
          () => `B closed; stderr: ${p.stderr}`,
        );
        // A alone again, still sending: past another BULK_BYTES it moves onto a worker again.
        await until(
          () => alone() === 2,
          () => `A on a worker again; stderr: ${p.stderr}`,
        );
        aFlow.stop();
        const aSent = aFlow.sent();
        await until(
          () => only(p.stdout, 'A').length === aSent.length,
          () => `A's bytes: ${only(p.stdout, 'A').length} of ${aSent.length}`,
        );
        expect(only(p.stdout, 'A').equals(aSent)).toBe(true);
        expect(only(p.stdout, 'B').equals(bSent)).toBe(true);
        expect(p.stdout.length).toBe(aSent.length + bSent.length);
        expect(aSent.length).toBeGreaterThan(2 * BULK_BYTES);

        if (extra[0] === '-x') {
          // The dump shows each client's bytes once, in order, whichever thread dumped them.
          const conns = [...new Set([...p.stderr.matchAll(/^< \S+ conn=(\d+) /gm)].map((m) => Number(m[1])))];
          expect(conns).toHaveLength(2);
          await until(
            () => dumpedIn(p.stderr, conns[0]!).length === aSent.length,
            () => `A's dump: ${dumpedIn(p.stderr, conns[0]!).length} of ${aSent.length}`,
          );
          expect(dumpedIn(p.stderr, conns[0]!).equals(aSent)).toBe(true);
          expect(dumpedIn(p.stderr, conns[1]!).equals(bSent)).toBe(true);
        }
        if (extra[0] === '--pcap') {
          const flows = () => readFlows(pcap);
          await until(
            () => Buffer.from(flows()[0]?.clientBytes ?? []).length === aSent.length,
            () => `A's packets: ${flows()[0]?.clientBytes.length} of ${aSent.length}`,
          );
          const [fa, fb] = flows();
          expect(Buffer.from(fa!.clientBytes).equals(aSent)).toBe(true);
          expect(Buffer.from(fb!.clientBytes).equals(bSent)).toBe(true);
          expect(fa!.missing).toBe(0);
        }
      });
    }

    it('clients one after the other: each may use a worker; --broker keeps the ordinary path', async () => {
      const p = new CliProcess(['listen', '-k', '-v', '127.0.0.1', '0'], DEBUG);
      cleanups.push(() => p.kill());
      const port = await p.listeningPort();
      const first = piece('A', 0, 2 * BULK_BYTES);
      const second = piece('B', 0, 2 * BULK_BYTES);
      for (const payload of [first, second]) {
        const c = await connectTo(port);
        cleanups.push(() => c.destroy());
        c.end(payload);
        await new Promise((resolve) => c.once('close', resolve).resume());
      }
      await until(
        () => p.stdout.length === first.length + second.length,
        () => `${p.stdout.length} bytes on stdout`,
      );
      expect(p.stdout.equals(Buffer.concat([first, second]))).toBe(true);
      expect(p.stderr.match(ALONE)).toHaveLength(2);

      const broker = new CliProcess(['listen', '--broker', '-v', '127.0.0.1', '0'], DEBUG);
      cleanups.push(() => broker.kill());
      const c = await connectTo(await broker.listeningPort());
      cleanups.push(() => c.destroy());
      c.end(first);
      await broker.waitForStdout((out) => out.length === first.length, 30_000);
      expect(broker.stderr).not.toMatch(/worker thread/);
    });
  },
);
