import { createHash } from 'node:crypto';
import * as dgram from 'node:dgram';
import type * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { CliProcess, sleep } from '../../helpers/cli.js';
import { parseJsonEvents } from '../../helpers/json-events.js';
import { connectTo, freePort, tcpServer } from '../../helpers/servers.js';

const cleanups = cleanupAfterEach();

async function until(cond: () => boolean, ms = 5000, what = 'condition') {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Starts `sockrepl proxy 0 127.0.0.1 <upstream>` on loopback and returns it with its port. */
async function proxy(upstream: number, ...extra: string[]) {
  const p = new CliProcess(['proxy', '0', '127.0.0.1', String(upstream), '-s', '127.0.0.1', '-v', ...extra]);
  cleanups.push(async () => {
    if (p.child.exitCode === null) {
      p.child.kill('SIGTERM');
      const t = setTimeout(() => p.kill(), 3000);
      await p.exited;
      clearTimeout(t);
    }
  });
  const port = await p.listeningPort();
  return { p, port };
}

/** 64 KiB blocks of a counter-derived pattern: any loss, duplication or reordering changes the hash. */
function block(i: number): Buffer {
  const b = Buffer.allocUnsafe(64 * 1024);
  for (let j = 0; j < b.length; j += 4) b.writeUInt32LE((Math.imul(i, 2654435761) + j * 40503) >>> 0, j);
  return b;
}

/** Writes `blocks` blocks with backpressure, then FIN; resolves with the sha256 of what was written. */
function sendBlocks(s: net.Socket, blocks: number): Promise<string> {
  const hash = createHash('sha256');
  let i = 0;
  return new Promise((resolve) => {
    const pump = () => {
      while (i < blocks) {
        const b = block(i++);
        hash.update(b);
        if (!s.write(b)) return;
      }
      s.off('drain', pump);
      s.end(() => resolve(hash.digest('hex')));
    };
    s.on('drain', pump);
    pump();
  });
}

function hashUntilEnd(s: net.Socket): Promise<{ sha: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  return new Promise((resolve, reject) => {
    s.on('data', (d: Buffer) => {
      bytes += d.length;
      hash.update(d);
    });
    s.on('end', () => resolve({ sha: hash.digest('hex'), bytes }));
    s.on('error', reject);
  });
}

describe('sockrepl proxy (pipe mode: a relay)', () => {
  it('passes 64 MiB each way unchanged (sha256), at once in both directions', async () => {
    const BLOCKS = 1024; // 64 MiB of 64 KiB blocks
    let serverSent: Promise<string> | undefined;
    let serverGot: Promise<{ sha: string; bytes: number }> | undefined;
    const srv = await tcpServer((s) => {
      serverGot = hashUntilEnd(s);
      serverSent = sendBlocks(s, BLOCKS);
    });
    cleanups.push(() => srv.close());
    const { p, port } = await proxy(srv.port);
    const c = await connectTo(port);
    const clientGot = hashUntilEnd(c);
    const clientSent = await sendBlocks(c, BLOCKS);
    const got = await clientGot;
    await until(() => serverGot !== undefined);
    const atServer = await serverGot!;
    expect(atServer.bytes).toBe(64 * 1024 * 1024);
    expect(atServer.sha).toBe(clientSent);
    expect(got.bytes).toBe(64 * 1024 * 1024);
    expect(got.sha).toBe(await serverSent!);
    // A relay reads no standard input and writes no traffic to standard output.
    expect(p.stdout.length).toBe(0);
  }, 60_000);

  it('passes a FIN on as a FIN: each side half-closes and still gets the other’s bytes', async () => {
    const srv = await tcpServer((s) => {
      let req = '';
      s.on('data', (d) => {
        req += d;
      });
      // After the client's FIN the server can still answer; then it half-closes too.
      s.on('end', () => setTimeout(() => s.end(`got ${req}`), 100));
    });
    cleanups.push(() => srv.close());
    const { p, port } = await proxy(srv.port);
    const c = await connectTo(port);
    let reply = '';
    c.on('data', (d) => {
      reply += d;
    });
    c.end('request');
    await new Promise((r) => c.on('end', r));
    expect(reply).toBe('got request');
    await p.waitForStderr(/Connection \d+: client sent FIN; passed on to the upstream/);
    await p.waitForStderr(/Connection \d+: upstream sent FIN; passed on to the client/);
    await p.waitForStderr(/Connection with 127\.0\.0\.1 \d+ closed/);
  });

  it('passes an RST on as an RST, both ways', async () => {
    const srv = await tcpServer((s) => s.on('data', () => s.resetAndDestroy()));
    cleanups.push(() => srv.close());
    const { p, port } = await proxy(srv.port);
    const c = await connectTo(port);
    const err = new Promise<NodeJS.ErrnoException>((r) => c.on('error', r));
    c.write('boom');
    expect((await err).code).toBe('ECONNRESET');
    await p.waitForStderr(/upstream reset the connection \(RST\); the client is reset too/);

    let serverErr: Promise<NodeJS.ErrnoException> | undefined;
    const srv2 = await tcpServer((s) => {
      serverErr = new Promise((r) => s.on('error', r));
    });
    cleanups.push(() => srv2.close());
    const second = await proxy(srv2.port);
    const c2 = await connectTo(second.port);
    await until(() => serverErr !== undefined, 5000, 'the upstream connection');
    await second.p.waitForStderr(/upstream 127\.0\.0\.1:\d+ connected/);
    c2.resetAndDestroy();
    expect((await serverErr!).code).toBe('ECONNRESET');
  });

  it('resets the client when the upstream refuses, and says why', async () => {
    const dead = await freePort();
    const { p, port } = await proxy(dead);
    const c = await connectTo(port);
    const err = await new Promise<NodeJS.ErrnoException>((r) => c.on('error', r));
    expect(err.code).toBe('ECONNRESET');
    await p.waitForStderr(
      new RegExp(
        `sockrepl: Connection \\d+: upstream connect 127\\.0\\.0\\.1:${dead}: ECONNREFUSED.*; the client is reset`,
      ),
    );
    // The proxy goes on serving.
    expect(p.child.exitCode).toBeNull();
  });

  it('faults act on each client: fragment:1 dir=in reaches the server as many reads', async () => {
    const reads: Buffer[] = [];
    const srv = await tcpServer((s) => {
      s.on('data', (d: Buffer) => reads.push(d));
      s.on('end', () => s.end());
    });
    cleanups.push(() => srv.close());
    const { p, port } = await proxy(srv.port, '--fault', 'fragment:1,gap=30ms,dir=in', '-x');
    const c = await connectTo(port);
    c.end('0123456789');
    await new Promise((r) => c.on('close', r));
    expect(Buffer.concat(reads).toString()).toBe('0123456789');
    // Ten reads of one byte on an idle machine; a busy one may join a few.
    expect(reads.length).toBeGreaterThanOrEqual(6);
    // -x shows each client's traffic after the faults: ten one-byte chunks in.
    await until(() => (p.stderr.match(/^< .*length=1$/gm) ?? []).length === 10, 3000, 'the dump');
  });

  it('--upstream-source-port binds the upstream side; plain options stay on the listening side', async () => {
    const want = await freePort();
    let seen: number | undefined;
    const srv = await tcpServer((s) => {
      seen = s.remotePort;
      s.end();
    });
    cleanups.push(() => srv.close());
    const { port } = await proxy(
      srv.port,
      '--upstream-source-port',
      String(want),
      '--upstream-nodelay',
      '--nodelay',
    );
    const c = await connectTo(port);
    c.resume();
    await new Promise((r) => c.on('end', r));
    expect(seen).toBe(want);
    c.destroy();
  });

  it('relays UDP datagrams both ways, one upstream socket per client', async () => {
    const upstream = dgram.createSocket('udp4');
    upstream.on('message', (m, from) =>
      upstream.send(Buffer.concat([Buffer.from('re:'), m]), from.port, from.address),
    );
    await new Promise<void>((r) => upstream.bind(0, '127.0.0.1', r));
    cleanups.push(() => upstream.close());
    const { port } = await proxy(upstream.address().port, '-u');
    const client = dgram.createSocket('udp4');
    cleanups.push(() => client.close());
    const got: string[] = [];
    client.on('message', (m) => got.push(m.toString()));
    for (const m of ['one', 'two', 'three']) {
      client.send(m, port, '127.0.0.1');
      await sleep(30);
    }
    await until(() => got.length === 3, 3000, 'the replies');
    expect(got).toEqual(['re:one', 're:two', 're:three']);
  });

  it('refuses options that mean nothing for a relay, as usage errors', async () => {
    for (const [flag, text] of [
      [
        '-p',
        'proxy: --source-port: the proxy listens on <listen-port>; the upstream side binds with --upstream-source-port',
      ],
      ['--broker', 'proxy: --broker: each client of a proxy talks to its own upstream connection'],
    ]) {
      const args =
        flag === '-p'
          ? ['proxy', '0', '127.0.0.1', '9', '-p', '4000']
          : ['proxy', '0', '127.0.0.1', '9', flag!];
      const p = new CliProcess(args);
      const r = await p.exited;
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`sockrepl: ${text}\n`);
    }
    const emptyHost = await new CliProcess(['proxy', '0', '', '9']).exited;
    expect(emptyHost).toMatchObject({
      code: 2,
      stderr: 'sockrepl: proxy: the upstream host name is empty\n',
    });
    // Said before listening, not when the first client comes.
    const badSource = await new CliProcess(['proxy', '0', '127.0.0.1', '9', '--upstream-source', '999.1.1.1'])
      .exited;
    expect(badSource).toMatchObject({ code: 1 });
    expect(badSource.stderr).toMatch(/^sockrepl: bind 999\.1\.1\.1:0: (ENOTFOUND|EAI_AGAIN): [^\n]*\n$/);
    const udpOnly = await new CliProcess(['proxy', '0', '127.0.0.1', '9', '-u', '--upstream-nodelay']).exited;
    expect(udpOnly.stderr).toBe('sockrepl: --upstream-nodelay applies to TCP only, not with --udp\n');
    const badValue = await new CliProcess(['proxy', '0', '127.0.0.1', '9', '--upstream-linger', 'abc'])
      .exited;
    expect(badValue).toMatchObject({
      code: 2,
      stderr: "sockrepl: --upstream-linger: 'abc' is not a duration (use e.g. 500ms, 2s, 1m)\n",
    });
  });

  it('refuses what the relay cannot apply, as pipe mode does, before listening', async () => {
    for (const [extra, text] of [
      [
        ['--frame', 'lines'],
        '--frame: pipe mode passes bytes through unchanged; framing applies with --json, the screen (--tui) and scripts',
      ],
      // With -x it would have been the text column of the dump, failing at the first chunk.
      [['-x', '-E', 'gbkk'], "unknown encoding 'gbkk' (did you mean gbk, xgbk?)"],
      [
        ['-E', 'gbk'],
        '-E: pipe mode passes bytes through unchanged; the encoding applies to -x and --record, --json, the screen (--tui) and scripts',
      ],
      [
        ['--record', 'never-written.srs'],
        '--record: the pipe-mode proxy does not record; record a proxy with --json or the screen (--tui)',
      ],
    ] as const) {
      const r = await new CliProcess(['proxy', '0', '127.0.0.1', '9', '-v', ...extra]).exited;
      expect({ extra, code: r.code, stderr: r.stderr }).toEqual({
        extra,
        code: 2,
        stderr: `sockrepl: ${text}\n`,
      });
    }
  });
});

describe('sockrepl proxy --json', () => {
  it('shows both directions of each client, framed messages decoded whatever the chunking', async () => {
    const frame = (text: string) => {
      const body = Buffer.from(text);
      const head = Buffer.alloc(4);
      head.writeUInt32BE(body.length);
      return Buffer.concat([head, body]);
    };
    const srv = await tcpServer((s) => {
      let got = Buffer.alloc(0);
      s.on('data', (d: Buffer) => {
        got = Buffer.concat([got, d]);
        if (got.length >= frame('hello').length + frame('world!').length)
          s.end(Buffer.concat([frame('ok 1'), frame('ok 2')]));
      });
    });
    cleanups.push(() => srv.close());
    const p = new CliProcess([
      'proxy',
      '0',
      '127.0.0.1',
      String(srv.port),
      '-s',
      '127.0.0.1',
      '--json',
      '--frame',
      'length:u32be',
      '--fault',
      'fragment:3,gap=2ms,dir=in',
      '--fault',
      'coalesce:30ms,dir=out',
    ]);
    cleanups.push(() => p.kill());
    await p.waitForStdout((o) => o.includes('"type":"listening"'));
    const listening = parseJsonEvents<{ port: number; proto: string }>(
      p.stdout.toString().split('\n')[0]!,
    )[0]!;
    expect(listening.proto).toBe('tcp');
    const c = await connectTo(listening.port);
    c.write(Buffer.concat([frame('hello'), frame('world!')]));
    c.resume();
    await new Promise((r) => c.on('end', r));
    c.end();
    await p.waitForStdout(
      (o) =>
        o
          .toString()
          .split('\n')
          .filter((l) => l.includes('"frame"')).length >= 4,
    );
    p.child.stdin.end('/quit\n');
    await p.exited;
    const events = parseJsonEvents<Record<string, unknown>>(p.stdout);
    const data = events.filter((e) => e.type === 'data');
    const payload = (e: Record<string, unknown>) => Buffer.from(String(e.hex), 'hex').subarray(4).toString();
    expect(data.filter((e) => e.dir === 'in').map((e) => [e.frame, payload(e)])).toEqual([
      [1, 'hello'],
      [2, 'world!'],
    ]);
    expect(data.filter((e) => e.dir === 'out').map((e) => [e.frame, payload(e)])).toEqual([
      [1, 'ok 1'],
      [2, 'ok 2'],
    ]);
    const open = events.find((e) => e.type === 'open')!;
    expect(
      events.some(
        (e) =>
          e.type === 'notice' &&
          /^upstream 127\.0\.0\.1:\d+ connected from/.test(String(e.text)) &&
          e.conn === open.conn,
      ),
    ).toBe(true);
  });
});
