// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${PORT} is the script language's own variable syntax.
import * as net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { run, scriptDir } from './helpers.js';

/**
 * A script's expects read each connection's one tube (the session's), so nothing depends on
 * which of two receive engines saw a chunk first. Each test asserts that a match is reported
 * well inside its expect's 60 s timeout; the failure these guard against waits the whole timeout.
 */

const dir = scriptDir();
afterAll(() => dir.cleanup());

const EXPECT_TIMEOUT_S = 60;

/** A server that answers the first bytes it gets with `reply`, in one write, then ends. */
async function oneShot(reply: Buffer): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer((s) => {
    s.on('error', () => {});
    s.once('data', () => s.end(reply));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Every `matched ... in N` of a transcript, in milliseconds. */
function matchWaits(out: string): number[] {
  return [...out.matchAll(/-> matched(?: .*)? in (\d+(?:\.\d+)?)(ms|s)\b/g)].map((m) =>
    m[2] === 's' ? Number(m[1]) * 1000 : Number(m[1]),
  );
}

function u32Frame(body: string): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length);
  return Buffer.concat([head, Buffer.from(body)]);
}

describe("a script's expects and the session's one receive engine", () => {
  it('expect frame takes frames decoded before it started at once', async () => {
    const server = await oneShot(Buffer.concat([u32Frame('one'), u32Frame('two'), u32Frame('three')]));
    const script = dir.write(
      'frames.srs',
      [
        'connect 127.0.0.1 ${PORT}',
        'frame length:u32be',
        `timeout ${EXPECT_TIMEOUT_S}s`,
        'send "go"',
        'expect frame',
        'expect frame',
        'expect frame',
        'expect eof',
        '',
      ].join('\n'),
    );
    const r = await run([script, '--var', `PORT=${server.port}`], 90_000);
    await server.close();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const waits = matchWaits(r.out);
    expect(waits).toHaveLength(4);
    for (const w of waits) expect(w).toBeLessThan(EXPECT_TIMEOUT_S * 1000);
  }, 100_000);

  it('a reply behind 20 MiB unread matches: the channel is not left paused by a second tube', async () => {
    const server = await oneShot(Buffer.concat([Buffer.alloc(20 * 1024 * 1024, 0x61), Buffer.from('END\n')]));
    const script = dir.write(
      'big.srs',
      ['connect 127.0.0.1 ${PORT}', 'send "go"', `expect "END" ${EXPECT_TIMEOUT_S}s`, 'expect eof', ''].join(
        '\n',
      ),
    );
    const r = await run([script, '--var', `PORT=${server.port}`], 90_000);
    await server.close();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const waits = matchWaits(r.out);
    expect(waits).toHaveLength(2);
    for (const w of waits) expect(w).toBeLessThan(EXPECT_TIMEOUT_S * 1000);
  }, 100_000);
});
