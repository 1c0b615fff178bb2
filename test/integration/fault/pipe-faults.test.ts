import { createHash } from 'node:crypto';
import type * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { findProcEntry, readProcSockets } from '../../../src/net/kernel-view.js';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { CliProcess, runCli, sleep } from '../../helpers/cli.js';
import { tcpServer } from '../../helpers/servers.js';

const cleanups = cleanupAfterEach();

/** A loopback server that records each client's reads (size and time) and how the stream ended, and closes when the client does. */
async function recordingServer(onConnection: (s: net.Socket) => void = () => {}) {
  const clients: {
    reads: { at: number; bytes: Buffer }[];
    accepted: number;
    end?: string;
    socket: net.Socket;
  }[] = [];
  const srv = await tcpServer((socket) => {
    const c = {
      reads: [] as { at: number; bytes: Buffer }[],
      accepted: performance.now(),
      socket,
    } as (typeof clients)[number];
    clients.push(c);
    socket.on('data', (d: Buffer) => c.reads.push({ at: performance.now(), bytes: d }));
    socket.on('end', () => {
      c.end ??= 'eof';
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      c.end ??= e.code;
    });
    onConnection(socket);
    // Like most servers: when the client is done, so are we (the CLI then exits, as nc does).
    socket.on('end', () => socket.end());
  });
  cleanups.push(() => srv.close());
  return { ...srv, clients };
}

const received = (c: { reads: { bytes: Buffer }[] }) => Buffer.concat(c.reads.map((r) => r.bytes));

async function until(cond: () => boolean, ms = 5000, what = 'condition') {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('--fault in pipe mode, seen by a real peer', () => {
  it('fragment:1 reaches the peer as many separate reads, bytes intact', async () => {
    const srv = await recordingServer();
    const r = await runCli(
      ['-N', '--fault', 'fragment:1,gap=40ms', '127.0.0.1', String(srv.port)],
      'hello world',
    );
    expect(r.code).toBe(0);
    await until(() => srv.clients[0]?.end !== undefined, 5000, 'the FIN');
    const c = srv.clients[0]!;
    expect(received(c).toString()).toBe('hello world');
    // On an idle machine 11 reads of 1 byte; a busy one may join a few.
    expect(c.reads.length).toBeGreaterThanOrEqual(6);
    expect(c.end).toBe('eof');
  });

  it('delay:300ms is measured at the peer', async () => {
    // Both ends of the measurement are in this process: the server's write and the moment the
    // delayed bytes reach the client's standard output. Load can only make it longer, never shorter.
    let sentAt = 0;
    const srv = await tcpServer((s) => {
      s.write('ping');
      sentAt = performance.now();
    });
    cleanups.push(() => srv.close());
    const p = new CliProcess(['--fault', 'delay:300ms,dir=in', '127.0.0.1', String(srv.port)]);
    cleanups.push(() => p.kill());
    await p.waitForStdout((out) => out.toString() === 'ping');
    const waited = performance.now() - sentAt;
    expect(waited).toBeGreaterThanOrEqual(290);
    // Only a delay applied many times over would come near this; load alone does not.
    expect(waited).toBeLessThan(10_000);
  });

  it('reset:after=1k: the peer gets exactly 1024 bytes, then ECONNRESET', async () => {
    const srv = await recordingServer();
    const data = Buffer.alloc(4096, 0x61);
    const r = await runCli(['-v', '--fault', 'reset:after=1k', '127.0.0.1', String(srv.port)], data);
    await until(() => srv.clients[0]?.end !== undefined, 5000, 'the RST');
    const c = srv.clients[0]!;
    expect(c.end).toBe('ECONNRESET');
    expect(received(c)).toEqual(data.subarray(0, 1024));
    expect(r.stderr).toContain('fault: connection 1: reset: sending RST after 1024 bytes');
  });

  it('halfclose:after=5 sends FIN after 5 bytes while the reply still arrives', async () => {
    const srv = await recordingServer((s) => s.on('end', () => s.end('bye')));
    const r = await runCli(
      ['--fault', 'halfclose:after=5,dir=out', '127.0.0.1', String(srv.port)],
      'hello world',
    );
    expect(r.code).toBe(0);
    expect(received(srv.clients[0]!).toString()).toBe('hello');
    expect(r.stdout.toString()).toBe('bye');
  });

  it('stall: we stop reading, the Recv-Q of our socket grows and the peer blocks', async () => {
    const CAP = 64 * 1024 * 1024;
    let wrote = 0;
    let refused = false;
    let go = () => {};
    const chunk = Buffer.alloc(64 * 1024, 0x5a);
    const srv = await recordingServer((s) => {
      // Writes as fast as the socket takes them, on the test's signal, until a write is refused
      // (or an unreachable cap): bounded in count; the test bounds the time.
      const pump = () => {
        while (wrote < CAP) {
          wrote += chunk.length;
          if (!s.write(chunk)) {
            refused = true;
            return;
          }
        }
      };
      s.on('drain', pump);
      go = pump;
    });
    const p = new CliProcess(['-v', '--fault', 'stall,dir=in', '127.0.0.1', String(srv.port)]);
    cleanups.push(() => p.kill());
    await until(() => srv.clients.length === 1, 5000, 'the connection');
    const peer = srv.clients[0]!.socket;
    const recvQ = () =>
      findProcEntry(
        readProcSockets('tcp'),
        undefined,
        { address: '127.0.0.1', port: peer.remotePort!, family: 'IPv4' },
        { address: '127.0.0.1', port: srv.port, family: 'IPv4' },
      )?.recvQ;
    await until(() => recvQ() !== undefined, 5000, 'our socket in /proc/net/tcp');
    expect(recvQ()).toBe(0);
    go();
    // The stall takes the first chunk it sees and then stops reading. On a busy machine that first
    // read may come only after the peer has filled the queue (it then takes the whole queue, and
    // the peer's kernel sends what it still held): measure only once reading has stopped.
    await p.waitForStderr(/stall: stopped reading/, 20_000);
    // Full and settled: the same queue on two looks in a row (the event loop turned between them,
    // so the peer's writes that the window allowed have happened).
    let last = -1;
    await until(
      () => {
        const q = recvQ() ?? 0;
        const settled = refused && q > 32 * 1024 && q === last;
        last = q;
        return settled;
      },
      20_000,
      'a full Recv-Q and a refused write',
    );
    const full = recvQ()!;
    const wroteThen = wrote;
    await sleep(300);
    // Still stalled: the queue stays, and the peer has made no progress since its write was refused.
    expect(recvQ()).toBeGreaterThanOrEqual(full);
    expect(wrote).toBe(wroteThen);
    expect(wrote).toBeLessThan(CAP);
    expect(peer.writableLength).toBeGreaterThan(0);
    p.kill();
  });

  it('stall,until=: reading resumes when the fault ends and every byte arrives in order', async () => {
    const data = Buffer.from(Array.from({ length: 512 * 1024 }, (_, i) => (i * 7) & 0xff));
    const srv = await recordingServer((s) => s.end(data));
    const p = new CliProcess(['-v', '--fault', 'stall,dir=in,until=500ms', '127.0.0.1', String(srv.port)]);
    cleanups.push(() => p.kill());
    p.child.stdin.end();
    const r = await p.exited;
    expect(r.code).toBe(0);
    expect(createHash('sha256').update(r.stdout).digest('hex')).toBe(
      createHash('sha256').update(data).digest('hex'),
    );
    expect(r.stderr).toMatch(/fault: connection \d+: stall: stopped reading/);
  });

  it('seeded corrupt is the same for the same seed and differs for another', async () => {
    const data = Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => (i * 13) & 0xff));
    const run = async (seed: string) => {
      const srv = await recordingServer();
      const r = await runCli(
        ['-N', '--seed', seed, '--fault', 'corrupt:0.01', '127.0.0.1', String(srv.port)],
        data,
      );
      expect(r.code).toBe(0);
      await until(() => srv.clients[0]?.end !== undefined, 5000, 'the FIN');
      return received(srv.clients[0]!);
    };
    const a = await run('42');
    const b = await run('42');
    const c = await run('43');
    expect(a.length).toBe(data.length);
    expect(a).toEqual(b);
    expect(a).not.toEqual(data);
    expect(c).not.toEqual(a);
    let changed = 0;
    for (let i = 0; i < data.length; i++) if (a[i] !== data[i]) changed++;
    expect(changed).toBeGreaterThan(400);
    expect(changed).toBeLessThan(900);
  });

  it('prints the seed with -v so a run can be repeated; a bad spec is exit 2 before connecting', async () => {
    const srv = await recordingServer();
    const r = await runCli(['-v', '-N', '--fault', 'drop:0.5', '127.0.0.1', String(srv.port)], 'x');
    expect(r.stderr).toMatch(/^Faults: drop:0\.5; fault seed (\d+) \(--seed \1 repeats this run\)$/m);
    const bad = await runCli(['--fault', 'delay:soon', '127.0.0.1', String(srv.port)]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      "sockrepl: --fault 'delay:soon': time: 'soon' is not a duration (use e.g. 500ms, 2s, 1m)\n",
    );
    const dup = await runCli(['--fault', 'duplicate', '127.0.0.1', String(srv.port)]);
    expect(dup.code).toBe(2);
    expect(dup.stderr).toMatch(/duplicate applies to UDP datagrams/);
    expect(srv.clients).toHaveLength(1);
  });

  it('listen: every client gets the faults; -x dumps what really left', async () => {
    const p = new CliProcess(['-l', '-v', '-x', '--fault', 'fragment:4,gap=5ms,dir=out', '127.0.0.1', '0']);
    cleanups.push(() => p.kill());
    const port = await p.listeningPort();
    const { connectTo } = await import('../../helpers/servers.js');
    const s = await connectTo(port);
    const reads: Buffer[] = [];
    s.on('data', (d: Buffer) => reads.push(d));
    await p.waitForStderr(/Connection received/);
    p.child.stdin.end('abcdefghij');
    await until(() => Buffer.concat(reads).length === 10, 5000, 'the bytes');
    expect(Buffer.concat(reads).toString()).toBe('abcdefghij');
    expect(reads.length).toBeGreaterThanOrEqual(2);
    s.end();
    await p.exited;
    const dumps = p.stderr.match(/^> .*length=(\d+)$/gm) ?? [];
    expect(dumps.map((l) => Number(/length=(\d+)/.exec(l)![1]))).toEqual([4, 4, 2]);
  });
});
