import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connect } from '../../../src/index.js';
import { createInterpreter, createSession, startSession } from '../../../src/modes/open-session.js';
import { connectTcp } from '../../../src/net/tcp-connect.js';
import { resolveOptionWords } from '../../../src/options/option-words.js';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { CliProcess } from '../../helpers/cli.js';
import { tcpServer } from '../../helpers/servers.js';

/**
 * What the option vocabulary fixed (issue 11), end to end: each names one user-visible failure it
 * had, on real loopback sockets and the built CLI.
 */

const cleanups = cleanupAfterEach();
const dir = mkdtempSync(join(tmpdir(), 'sockrepl-opt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function server() {
  const srv = await tcpServer(() => {});
  cleanups.push(() => srv.close());
  return srv;
}

describe('keepalive idle, interval and count are set live everywhere', () => {
  it('/opt keepalive-idle, -interval and -count (they once said "unknown socket option keepaliveIdle")', async () => {
    const srv = await server();
    const options = resolveOptionWords([{ name: 'keepalive' }], 'connect');
    const spec = { kind: 'connect' as const, host: '127.0.0.1', port: srv.port, options };
    const session = await createSession(spec, { kernelRefreshMs: 0 });
    cleanups.push(() => session.close());
    await startSession(session, spec);
    const run = createInterpreter(session);
    for (const [line, key, value] of [
      ['/opt keepalive-idle 30', 'keepaliveIdle', 30],
      ['/opt keepalive-interval 0x5', 'keepaliveInterval', 5],
      ['/opt TCP_KEEPCNT 4', 'keepaliveCount', 4],
      ['/opt tos 0x10', 'tos', 16],
    ] as const) {
      const out = await run.execute(line);
      expect(out.ok, `${line}: ${out.lines.join(' ')}`).toBe(true);
      expect(session.openConns()[0]!.channel.readOptions()[key]).toBe(value);
    }
  });

  it("the library's setOption takes every name of an option, its key included", async () => {
    const srv = await server();
    const tube = await connect('127.0.0.1', srv.port, { keepalive: true, keepaliveIdle: '20s' });
    cleanups.push(() => tube.close());
    expect(tube.info().options?.keepaliveIdle).toBe(20);
    tube.setOption('keepaliveIdle', 40);
    tube.setOption('keepalive-interval', '7');
    expect(tube.info().options).toMatchObject({ keepaliveIdle: 40, keepaliveInterval: 7 });
  });

  it('a script sets them with opt, and --tos takes hex on the command line', async () => {
    const srv = await server();
    const script = join(dir, 'opt.srs');
    writeFileSync(
      script,
      `connect 127.0.0.1 ${srv.port} keepalive tos=0x20\nopt keepalive-idle 30\nopt keepalive-count 3\ninfo\n`,
    );
    const r = await new CliProcess(['run', script, '--tos', '0x10']).exited;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toMatch(/keepalive-idle\s+30/);
    expect(r.stdout.toString()).toMatch(/keepalive-count\s+3/);
    // The line's own tos wins over the command line's.
    expect(r.stdout.toString()).toMatch(/tos\s+(32|0x20)/);
  });
});

describe('a failed send is named as a send, and its bytes are not counted as sent', () => {
  it('EPIPE/ECONNRESET on a write says "send", and the bytes the socket lost are not in bytesOut', async () => {
    let peer: net.Socket | undefined;
    const srv = await tcpServer((s) => {
      peer = s;
    });
    cleanups.push(() => srv.close());
    const ch = await connectTcp('127.0.0.1', srv.port, { socket: {} });
    await expect.poll(() => peer !== undefined).toBe(true);
    // The peer goes away with an RST while we write far more than the kernel buffers hold.
    peer!.resetAndDestroy();
    const closed = new Promise<[string, Error | undefined]>((resolve) =>
      ch.once('close', (reason, error) => resolve([reason, error])),
    );
    const chunk = Buffer.alloc(1024 * 1024);
    let accepted = 0;
    for (let i = 0; i < 64 && !ch.writeClosed && !ch.closed; i++) {
      ch.send(chunk);
      accepted += chunk.length;
      await new Promise((r) => setImmediate(r));
    }
    const [reason, error] = await closed;
    expect(reason).toBe('reset');
    expect(error?.message).toMatch(/^(send|recv) 127\.0\.0\.1:\d+: (EPIPE|ECONNRESET)/);
    if (error?.message.includes('EPIPE')) expect(error.message).toMatch(/^send /);
    expect(ch.stats.bytesOut).toBeLessThan(accepted);
    if (/queued to send were lost/.test(error?.message ?? ''))
      expect(error!.message).toMatch(/; \d+ bytes queued to send were lost$/);
  });
});

describe('-4 with an IPv6 literal', () => {
  it('is a usage error saying the address is IPv6, not a hint about a missing IPv6 stack', async () => {
    const r = await new CliProcess(['-4', '::1', '9']).exited;
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('sockrepl: connect ::1: an IPv6 address, but only IPv4 was asked for\n');
  });
});
