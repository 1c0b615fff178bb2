import type * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { CliProcess } from '../../helpers/cli.js';
import { tcpServer } from '../../helpers/servers.js';

/**
 * `--json` at the end of its standard input follows the pipe-mode EOF table: the commands read so
 * far run first; then --send-only sends FIN after every queued byte and exits 0; -N sends FIN and
 * keeps receiving; by default no FIN, and the run lasts until the peer closes. A real server
 * records what arrived and whether a FIN did.
 */

const cleanups = cleanupAfterEach();

interface Peer {
  socket: net.Socket;
  data: Buffer[];
  fin: boolean;
  error?: Error;
}

/** A server that records each connection's bytes and its FIN. */
async function recordingServer() {
  const peers: Peer[] = [];
  const srv = await tcpServer((socket) => {
    const peer: Peer = { socket, data: [], fin: false };
    peers.push(peer);
    socket.on('data', (d: Buffer) => peer.data.push(d));
    socket.on('end', () => {
      peer.fin = true;
    });
    socket.on('error', (err) => {
      peer.error = err;
    });
  });
  cleanups.push(() => srv.close());
  return { port: srv.port, peers };
}

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function runJson(args: string[], input: string): CliProcess {
  const p = new CliProcess(['--json', ...args]);
  cleanups.push(() => p.kill());
  p.child.stdin.end(input);
  return p;
}

const COMMANDS = 'hello\n/send world\n/hex 21 21\n';
const text = (peer: Peer) => Buffer.concat(peer.data).toString();

describe('--json at the end of standard input', () => {
  it('--send-only: runs the commands, sends FIN after all of it, exits 0', async () => {
    const srv = await recordingServer();
    // 4 MiB in one /send on top: more than the socket buffers hold, so the FIN waits for it.
    const big = 'x'.repeat(4 * 1024 * 1024);
    const p = runJson(['--send-only', '127.0.0.1', String(srv.port)], `${COMMANDS}/send ${big}\n`);
    const r = await p.exited;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const peer = srv.peers[0]!;
    await until(() => peer.fin, 'the FIN');
    expect(peer.error).toBeUndefined();
    expect(text(peer)).toBe(`hello\nworld!!${big}`);
    const results = r.stdout
      .toString()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; ok?: boolean })
      .filter((e) => e.type === 'result');
    // A plain text line sends without a result; each / command has one.
    expect(results.map((e) => e.ok)).toEqual([true, true, true]);
  });

  it('-N: sends FIN and keeps receiving until the peer closes, then exits 0', async () => {
    const srv = await recordingServer();
    const p = runJson(['-N', '127.0.0.1', String(srv.port)], COMMANDS);
    await until(() => srv.peers[0]?.fin === true, 'the FIN');
    const peer = srv.peers[0]!;
    expect(text(peer)).toBe('hello\nworld!!');
    peer.socket.end('bye\n');
    await p.waitForStdout((out) => out.includes('"text":"bye\\n"'));
    expect((await p.exited).code).toBe(0);
  });

  it('by default: no FIN; the run lasts until the peer closes, then exits 0', async () => {
    const srv = await recordingServer();
    const p = runJson(['127.0.0.1', String(srv.port)], COMMANDS);
    await p.waitForStdout((out) => out.includes('"line":"/hex 21 21"'));
    await until(
      () => text(srv.peers[0] ?? ({ data: [] } as unknown as Peer)) === 'hello\nworld!!',
      'the bytes',
    );
    const peer = srv.peers[0]!;
    // Standard input has ended and its commands ran; a reply still arrives, and no FIN came.
    peer.socket.write('still here\n');
    await p.waitForStdout((out) => out.includes('"text":"still here\\n"'));
    expect(peer.fin).toBe(false);
    expect(p.child.exitCode).toBeNull();
    peer.socket.end();
    expect((await p.exited).code).toBe(0);
  });
});
