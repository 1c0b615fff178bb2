import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BULK_BYTES } from '../../../src/pipe/bulk-upgrade.js';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { CliProcess } from '../../helpers/cli.js';
import { collect, connectTo, tcpServer } from '../../helpers/servers.js';

/**
 * -i on the fast path (net/idle-timer.ts): bytes that only a relay worker moves keep the
 * connection alive, and once nothing moves either way the idle timer fires as it always has.
 * The flows below last several idle times, so a timer that ignored the workers would fire
 * mid-transfer; pauses between pieces are far shorter than the idle time.
 */
const cleanups = cleanupAfterEach();
const DEBUG = { SOCKREPL_DEBUG: '1' };
const SPLICED = /received bytes go to stdout by splice\(2\) on a worker thread/;
const STDIN_RELAYED = /stdin goes to the socket on a worker thread/;
const IDLE = '1500ms';
const FLOW_MS = 4_500;
const PIECE = 48 * 1024;

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * Writes a piece every 20 ms (waiting for drain when full) until FLOW_MS have passed and at least
 * 3 * BULK_BYTES went; resolves with everything written. Bounded: at most 2000 pieces. Fails at
 * once when the stream breaks or `gone` (the process under test) settles first.
 */
function flow(to: Writable, gone?: Promise<unknown>): Promise<Buffer> {
  const started = Date.now();
  const parts: Buffer[] = [];
  let bytes = 0;
  return new Promise((resolve, reject) => {
    let over = false;
    const fail = (why: string) => () => {
      over = true;
      reject(new Error(`the flow stopped after ${bytes} bytes: ${why}`));
    };
    to.once('error', fail('write failed'));
    to.once('close', fail('closed'));
    void gone?.then(fail('sockrepl exited'));
    const next = () => {
      if (over) return;
      if ((Date.now() - started >= FLOW_MS && bytes >= 3 * BULK_BYTES) || parts.length >= 2000) {
        over = true;
        resolve(Buffer.concat(parts));
        return;
      }
      const piece = Buffer.alloc(PIECE, parts.length & 0xff);
      parts.push(piece);
      bytes += piece.length;
      if (to.write(piece)) setTimeout(next, 20);
      else to.once('drain', () => setTimeout(next, 20));
    };
    next();
  });
}

/**
 * `p` receives a flow from `from` on the splicing worker: all of it reaches stdout with no idle
 * timeout meanwhile, and once nothing moves either way the timer fires, as on the ordinary path.
 */
async function receivesThenIdles(p: CliProcess, from: Writable): Promise<void> {
  const data = await flow(from, p.exited);
  await p.waitForStdout((out) => out.length === data.length, 30_000);
  expect(p.stderr).not.toMatch(/idle timeout/);
  expect(p.stderr).toMatch(SPLICED);
  const r = await p.exited;
  expect(r.code).toBe(0);
  expect(r.stderr).toMatch(/closed: idle timeout/);
  expect(sha(r.stdout)).toBe(sha(data));
}

describe.runIf(process.platform === 'linux')('-i with the relay workers', () => {
  it('a client receiving a long bulk transfer on the worker is not timed out while it flows', async () => {
    let accepted: (s: Socket) => void = () => {};
    const peer = new Promise<Socket>((resolve) => {
      accepted = resolve;
    });
    const srv = await tcpServer((s) => accepted(s));
    cleanups.push(() => srv.close());
    const p = new CliProcess(['-v', '-i', IDLE, '127.0.0.1', String(srv.port)], DEBUG);
    cleanups.push(() => p.kill());
    await receivesThenIdles(p, await peer);
  });

  it('a client sending standard input on the worker is not timed out while it flows', async () => {
    let got: Promise<{ data: Buffer }> | undefined;
    const srv = await tcpServer((s) => {
      got = collect(s);
    });
    cleanups.push(() => srv.close());
    const p = new CliProcess(['-N', '-v', '-i', IDLE, '127.0.0.1', String(srv.port)], DEBUG);
    cleanups.push(() => p.kill());
    await p.waitForStderr(/succeeded!/);
    const data = await flow(p.child.stdin, p.exited);
    expect(p.stderr).not.toMatch(/idle timeout/);
    expect(p.stderr).toMatch(STDIN_RELAYED);
    p.child.stdin.end();
    // -N: the end of standard input is a FIN; the server's FIN in answer ends it all.
    const received = await got!;
    expect(sha(received.data)).toBe(sha(data));
    srv.connections[0]?.end();
    const r = await p.exited;
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/idle timeout/);
  });

  it('a listener receiving on the worker from the first byte: alive while it flows, closed once idle', async () => {
    const p = new CliProcess(['listen', '-v', '-i', IDLE, '127.0.0.1', '0'], DEBUG);
    cleanups.push(() => p.kill());
    const client = await connectTo(await p.listeningPort());
    cleanups.push(() => client.destroy());
    client.on('error', () => {});
    await receivesThenIdles(p, client);
  });

  it('a listener whose client sends nothing is closed after the idle time', async () => {
    const p = new CliProcess(['listen', '-v', '-i', '300ms', '127.0.0.1', '0'], DEBUG);
    cleanups.push(() => p.kill());
    const client = await connectTo(await p.listeningPort());
    cleanups.push(() => client.destroy());
    const r = await p.exited;
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(SPLICED);
    expect(r.stderr).toMatch(/closed: idle timeout/);
  });
});
