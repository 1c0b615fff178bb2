import type * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { connectTcp } from '../../../src/net/tcp-connect.js';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { runCli } from '../../helpers/cli.js';
import { parseJsonEvents } from '../../helpers/json-events.js';
import { tcpServer } from '../../helpers/servers.js';
import { scriptDir } from '../script/helpers.js';

/**
 * Issue 16 item 1: a reset after our write side is shut down must still send RST. Node's
 * resetAndDestroy() closed such a socket gracefully, so the peer saw no RST and the process hung.
 */
const cleanups = cleanupAfterEach();

/** A server whose one client's fate (FIN, RST) is reported. */
async function watchedServer() {
  let fate: Promise<{ fin: boolean; error?: string }> = new Promise(() => {});
  const srv = await tcpServer((s: net.Socket) => {
    fate = new Promise((resolve) => {
      let fin = false;
      s.on('end', () => {
        fin = true;
        // Node reads no more after a FIN, so an RST behind it shows only at a write: probe once.
        s.write('?');
      });
      s.on('error', (e: NodeJS.ErrnoException) => resolve({ fin, error: e.code }));
      s.on('close', () => resolve({ fin }));
      s.resume();
    });
  });
  cleanups.push(() => srv.close());
  const accepted = async () => {
    while (srv.connections.length === 0) await new Promise((r) => setImmediate(r));
    return fate;
  };
  return { port: srv.port, fate: accepted };
}

describe('reset after shutdown write sends RST', () => {
  it('channel: shutdown("write") then reset() resets the peer', async () => {
    const srv = await watchedServer();
    const ch = await connectTcp('127.0.0.1', srv.port, { socket: {} });
    const closed = new Promise((resolve) => ch.once('close', resolve));
    ch.shutdown('write');
    ch.reset();
    expect(['ECONNRESET', 'EPIPE']).toContain((await srv.fate()).error);
    await closed;
    expect(ch.closed).toBe(true);
  }, 60_000);

  it('REPL --json: /shutdown then /reset exits, and the peer sees ECONNRESET', async () => {
    const srv = await watchedServer();
    const r = await runCli(['--json', '127.0.0.1', String(srv.port)], '/shutdown\n/reset\n/quit\n', 20_000);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toMatch(/"command":"reset","ok":true/);
    expect(
      parseJsonEvents(r.stdout)
        .filter((e) => e.type === 'result')
        .map((e) => e.command),
    ).toContain('reset');
    expect(['ECONNRESET', 'EPIPE']).toContain((await srv.fate()).error);
  }, 60_000);

  it('script: shutdown write then reset ends the run and resets the peer', async () => {
    const srv = await watchedServer();
    const dir = scriptDir();
    cleanups.push(() => dir.cleanup());
    const path = dir.write('r.srs', `connect 127.0.0.1 ${srv.port}\nshutdown write\nreset\n`);
    const r = await runCli(['run', path], '', 20_000);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(['ECONNRESET', 'EPIPE']).toContain((await srv.fate()).error);
  }, 60_000);
});
