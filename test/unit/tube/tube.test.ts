import * as dgram from 'node:dgram';
import type * as net from 'node:net';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NetError } from '../../../src/errors.js';
import type { Channel } from '../../../src/net/channel.js';
import { connectTcp } from '../../../src/net/tcp-connect.js';
import { connectUdp } from '../../../src/net/udp.js';
import { EofError, ExpectError, TimeoutError } from '../../../src/tube/errors.js';
import { Tube } from '../../../src/tube/tube.js';
import { connectChannel, type TestServer, testServer, writeChunked } from '../../helpers/test-server.js';

type Mode = 'whole' | 'bytewise';
const MODES: Mode[] = ['whole', 'bytewise'];

const channelKinds: [string, (port: number) => Promise<Channel>][] = [
  ['TcpChannel', (port) => connectTcp('127.0.0.1', port, { socket: {} })],
];

let server: TestServer;
const tubes: Tube[] = [];

beforeEach(async () => {
  server = await testServer();
});

afterEach(async () => {
  for (const t of tubes.splice(0)) {
    t.detach();
    if (!t.channel.closed) t.channel.reset();
  }
  await server.close();
});

async function pair(
  connect: (port: number) => Promise<Channel>,
  options: ConstructorParameters<typeof Tube>[1] = {},
) {
  const channel = await connect(server.port);
  const tube = new Tube(channel, options);
  tubes.push(tube);
  const peer = await server.nextClient();
  return { tube, peer };
}

/** Collects whatever the peer receives. */
function collect(peer: net.Socket): () => Buffer {
  const chunks: Buffer[] = [];
  peer.on('data', (c: Buffer) => chunks.push(c));
  return () => Buffer.concat(chunks);
}

describe.each(channelKinds)('Tube over %s', (_name, connect) => {
  it.each(MODES)('gives the same results whether the reply comes %s', async (mode) => {
    const { tube, peer } = await pair(connect);
    const reply = Buffer.concat([
      Buffer.from('banner v1\r\nOK 42 alice\r\nline two\n'),
      Buffer.from([0x00, 0x05]),
      Buffer.from('hello'),
      Buffer.from([0xde, 0xad, 0xbe, 0xef]),
      Buffer.from('TAIL'),
    ]);
    const writing = writeChunked(peer, reply, mode, 1);
    const banner = await tube.recvLine({ keepEnds: false });
    const m = await tube.expect(/^OK (\d+) (?<user>\w+)\r\n/);
    const line = await tube.recvLine();
    const len = (await tube.recvExactly(2)).readUInt16BE(0);
    const body = await tube.recvExactly(len);
    const marker = await tube.expect(Buffer.from([0xbe, 0xef]));
    const tail = await tube.recvExactly(4);
    await writing;
    expect(banner.toString()).toBe('banner v1');
    expect([m[0], m[1], m[2], m.groups?.user, m.index, m.kind]).toEqual([
      'OK 42 alice\r\n',
      '42',
      'alice',
      'alice',
      0,
      'regex',
    ]);
    expect(line.toString()).toBe('line two\n');
    expect(body.toString()).toBe('hello');
    expect(marker.before.toString('hex')).toBe('dead');
    expect(marker.bytes.toString('hex')).toBe('beef');
    expect(tail.toString()).toBe('TAIL');
    expect(tube.buffered).toBe(0);
  });

  it.each(MODES)('keeps what follows a match buffered (%s)', async (mode) => {
    const { tube, peer } = await pair(connect);
    await writeChunked(peer, Buffer.from('A:1;B:2;C:3;'), mode, 1);
    const got: string[] = [];
    for (let i = 0; i < 3; i++) got.push((await tube.recvUntil(';', { drop: true })).toString());
    expect(got).toEqual(['A:1', 'B:2', 'C:3']);
  });

  it('fails an expect on EOF with the bytes received, which stay buffered', async () => {
    const { tube, peer } = await pair(connect);
    peer.end('partial');
    const err = await tube.expect('never', { timeout: '5s' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EofError);
    expect(err).toBeInstanceOf(ExpectError);
    const e = err as EofError;
    expect(e.exitCode).toBe(3);
    expect(e.expected).toBe('"never"');
    expect(e.received.toString()).toBe('partial');
    expect(e.message).toBe(
      'the peer closed the connection (EOF) while waiting for "never"; received 7 bytes: "partial"',
    );
    const eof = await tube.expect('eof');
    expect([eof.kind, eof.before.toString(), eof.bytes.length]).toEqual(['eof', 'partial', 0]);
    await expect(tube.recv()).rejects.toBeInstanceOf(EofError);
  });

  it('times out the whole call, however the bytes trickle in', async () => {
    const { tube, peer } = await pair(connect);
    // A byte every 20 ms for up to 10 s: a timeout restarted by each byte would end only after the
    // drip. Both run on this event loop, so a busy machine slows them alike.
    const DRIPS = 500;
    let sent = 0;
    const drip = setInterval(() => {
      if (sent++ < DRIPS) peer.write('x');
    }, 20);
    try {
      const t0 = performance.now();
      const err = (await tube.expect('Z', { timeout: 300 }).catch((e: unknown) => e)) as TimeoutError;
      const took = performance.now() - t0;
      expect(err).toBeInstanceOf(TimeoutError);
      expect(took).toBeGreaterThanOrEqual(295);
      expect(sent).toBeLessThan(DRIPS);
      expect(err.timeoutMs).toBe(300);
      expect(err.exitCode).toBe(3);
      expect(err.received.length).toBeGreaterThan(3);
      expect(err.message).toMatch(/^timed out after 300ms waiting for "Z"; received \d+ bytes: "x+"$/);
      // Nothing was consumed: the bytes are still there.
      expect(tube.buffered).toBeGreaterThanOrEqual(err.received.length);
    } finally {
      clearInterval(drip);
    }
  });

  it('takes the default timeout from the innermost withTimeout scope', async () => {
    const { tube } = await pair(connect, { timeout: '5s' });
    expect(tube.timeout).toBe(5000);
    const t0 = performance.now();
    await tube.withTimeout(100, async () => {
      expect(tube.timeout).toBe(100);
      await expect(tube.recv()).rejects.toBeInstanceOf(TimeoutError);
      await tube.withTimeout(0, async () => {
        await expect(tube.recvExactly(1)).rejects.toThrow(
          'timed out after 0ms waiting for 1 byte; nothing was received',
        );
      });
    });
    // Well under the outer 5 s: the inner scopes' timeouts were the ones used.
    expect(performance.now() - t0).toBeLessThan(4500);
    expect(tube.timeout).toBe(5000);
  });

  it('reports a reset as the network error it is (exit 1), also for expect eof', async () => {
    const { tube, peer } = await pair(connect);
    peer.write('x');
    await tube.expect('x');
    peer.resetAndDestroy();
    const err = await tube.expect('eof', { timeout: '5s' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetError);
    expect((err as NetError).exitCode).toBe(1);
    expect((err as NetError).code).toBe('ECONNRESET');
  });

  it('runs concurrent receives one after another, in call order', async () => {
    const { tube, peer } = await pair(connect);
    const a = tube.expect('1');
    const b = tube.recvLine();
    const c = tube.recvExactly(2);
    peer.write('1 first\nzz');
    expect((await a)[0]).toBe('1');
    expect((await b).toString()).toBe(' first\n');
    expect((await c).toString()).toBe('zz');
  });

  it('expectAny picks the match that starts first, then the first listed', async () => {
    const { tube, peer } = await pair(connect);
    peer.write('..B..A..');
    const m = await tube.expectAny(['A', /B/, 'eof']);
    expect([m.which, m.before.toString()]).toEqual([1, '..']);
    const n = await tube.expectAny([/\.A/, '.A']);
    expect(n.which).toBe(0);
    peer.end();
    const e = await tube.expectAny(['Q', 'eof']);
    expect([e.which, e.kind, e.before.toString()]).toEqual([1, 'eof', '..']);
  });

  it('sends text, lines with the configured eol, bytes, and sendLineAfter', async () => {
    const { tube, peer } = await pair(connect, { eol: 'crlf' });
    const received = collect(peer);
    await tube.send('a');
    await tube.send(Uint8Array.of(0, 0xff));
    await tube.sendLine('LOGIN alice');
    peer.write('Password: ');
    await tube.sendLineAfter('Password: ', 'secret');
    tube.shutdown('write');
    await new Promise((r) => peer.once('end', r));
    expect(received().toString('latin1')).toBe('a\x00\xffLOGIN alice\r\nsecret\r\n');
    await expect(tube.send('late')).rejects.toThrow('send: the connection is shut down for writing');
  });

  it('matches text and regexes in the tube encoding, even split inside a character', async () => {
    const { tube, peer } = await pair(connect, { encoding: 'gbk' });
    await writeChunked(peer, iconv.encode('你好，中文 42。再见', 'gbk'), 'bytewise', 1);
    const m = await tube.expect(/中文 (\d+)/);
    expect(m[1]).toBe('42');
    expect(iconv.decode(m.before, 'gbk')).toBe('你好，');
    const rest = await tube.recvUntil('再见');
    expect(iconv.decode(rest, 'gbk')).toBe('。再见');
  });

  it('unget puts bytes back for the next receive', async () => {
    const { tube, peer } = await pair(connect);
    peer.write('world');
    const w = await tube.recvExactly(5);
    tube.unget(Buffer.concat([Buffer.from('hello '), w]));
    expect((await tube.expect(/o w/)).before.toString()).toBe('hell');
  });

  it('sets options and reports info through the channel', async () => {
    const { tube } = await pair(connect);
    tube.setOption('TCP_NODELAY', 'on');
    tube.setOption('keepalive', true);
    const info = tube.info();
    expect(info.options?.nodelay).toBe(true);
    expect(info.options?.keepalive).toBe(true);
    expect(info.remote.port).toBe(server.port);
    expect(info.proto).toBe('tcp');
    expect(() => tube.setOption('nagle', 1)).toThrow("unknown socket option 'nagle'");
  });

  it('stops reading past the high-water mark until someone receives', async () => {
    const { tube, peer } = await pair(connect, { highWaterMark: 64 * 1024 });
    const total = 4 * 1024 * 1024;
    peer.write(Buffer.alloc(total, 0x61));
    await new Promise((r) => setTimeout(r, 300));
    // Paused: what is buffered stays near the mark, the rest waits in kernel buffers.
    expect(tube.buffered).toBeLessThan(total);
    const all = await tube.recvExactly(total, { timeout: '10s' });
    expect(all.length).toBe(total);
  });

  it('gives up a send the peer never reads, after the timeout, as a network error', async () => {
    const { tube, peer } = await pair(connect, { timeout: 300 });
    peer.pause();
    const chunk = Buffer.alloc(1024 * 1024);
    let err: unknown;
    // Bounded: at most 256 MiB offered before the kernel buffers are certainly full.
    for (let i = 0; i < 256 && !err; i++) err = await tube.send(chunk).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetError);
    expect((err as NetError).code).toBe('ETIMEDOUT');
    expect((err as NetError).message).toMatch(/^send: still blocked after 300ms: the peer is not reading/);
  });
});

describe('Tube over UDP', () => {
  it('sends datagrams and matches across them', async () => {
    const echo = dgram.createSocket('udp4');
    await new Promise<void>((r) => echo.bind(0, '127.0.0.1', () => r()));
    echo.on('message', (msg, rinfo) => {
      // Answer each datagram in two, so the reply spans datagrams.
      echo.send(msg.subarray(0, 2), rinfo.port, rinfo.address);
      echo.send(msg.subarray(2), rinfo.port, rinfo.address);
    });
    const channel = await connectUdp('127.0.0.1', echo.address().port, { socket: {} });
    const tube = new Tube(channel, { timeout: '2s' });
    tubes.push(tube);
    try {
      await tube.sendLine('PING 1');
      const m = await tube.expect(/^PING (\d)\n/);
      expect(m[1]).toBe('1');
      expect(tube.info().proto).toBe('udp');
    } finally {
      echo.close();
    }
  });
});

describe('Tube argument errors', () => {
  it('rejects (never throws synchronously) on bad arguments', async () => {
    const { tube } = await pair((port) => connectChannel(port), { encoding: 'latin1' });
    const p = tube.expect('中文');
    await expect(p).rejects.toThrow("'中' (U+4E2D) at column 1 cannot be encoded in latin1");
    await expect(tube.recvExactly(-1)).rejects.toThrow('recvExactly: -1 is not a byte count');
    await expect(tube.expectAny([])).rejects.toThrow('expect: no pattern given');
    expect(() => {
      tube.encoding = 'klingon';
    }).toThrow("unknown encoding 'klingon'");
    expect(() => new Tube(tube.channel, { timeout: 'soon' })).toThrow("timeout: 'soon' is not a duration");
  });
});

describe('Tube chunking (property, real loopback)', () => {
  it('returns the same lines and captures for any split of the reply', async () => {
    const reply = Buffer.from('HELLO 1\r\nOK id=77 name=zoë\r\nBYE\r\n');
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 1, max: reply.length - 1 }), { maxLength: 8 }),
        async (cuts) => {
          const { tube, peer } = await pair((port) => connectChannel(port));
          const points = [0, ...cuts.sort((a, b) => a - b), reply.length];
          const writing = (async () => {
            for (let k = 1; k < points.length; k++) {
              peer.write(reply.subarray(points[k - 1], points[k]));
              await new Promise((r) => setTimeout(r, 1));
            }
          })();
          const hello = await tube.recvLine();
          const m = await tube.expect(/id=(\d+) name=(\S+)\r\n/);
          const bye = await tube.recvUntil('BYE\r\n');
          await writing;
          expect([hello.toString(), m[1], m[2], bye.toString()]).toEqual([
            'HELLO 1\r\n',
            '77',
            'zoë',
            'BYE\r\n',
          ]);
          tube.detach();
          tube.channel.reset();
        },
      ),
      { numRuns: 15 },
    );
  });
});
