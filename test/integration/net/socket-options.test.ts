import { describe, expect, it } from 'vitest';
import type { Channel } from '../../../src/net/channel.js';
import type { SocketOptionValues } from '../../../src/net/socket-options.js';
import { connectTcp } from '../../../src/net/tcp-connect.js';
import { listenTcp, type TcpListener } from '../../../src/net/tcp-listen.js';
import { connectUdp } from '../../../src/net/udp.js';
import { listenUdp } from '../../../src/net/udp-listen.js';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { listenOptions } from '../../helpers/listen-options.js';
import { collect, connectTo, tcpServer } from '../../helpers/servers.js';

const cleanups = cleanupAfterEach();

async function client(socket: SocketOptionValues, host = '127.0.0.1') {
  const srv = await tcpServer(() => {}, host);
  cleanups.push(() => srv.close());
  const ch = await connectTcp(host, srv.port, { socket });
  cleanups.push(() => ch.reset());
  return ch;
}

describe('TCP client options are set before connect and read back from the kernel', () => {
  it('nodelay, keepalive with idle/interval/count', async () => {
    const ch = await client({
      nodelay: true,
      keepalive: true,
      keepaliveIdle: 7,
      keepaliveInterval: 3,
      keepaliveCount: 4,
    });
    expect(ch.readOptions()).toMatchObject({
      nodelay: true,
      keepalive: true,
      keepaliveIdle: 7,
      keepaliveInterval: 3,
      keepaliveCount: 4,
    });
  });

  it('nodelay alone (set by Node at connect) reads back from the kernel too', async () => {
    const ch = await client({ nodelay: true });
    expect(ch.readOptions().nodelay).toBe(true);
  });

  it('linger, buffers, ttl, tos', async () => {
    const ch = await client({ linger: 5, rcvbuf: 65536, sndbuf: 32768, ttl: 17, tos: 0x20 });
    const o = ch.readOptions();
    expect(o.linger).toBe(5);
    // Linux doubles buffer sizes for its bookkeeping and reports the doubled value.
    expect(o.rcvbuf).toBeGreaterThanOrEqual(65536);
    expect(o.sndbuf).toBeGreaterThanOrEqual(32768);
    expect(o.ttl).toBe(17);
    expect(o.tos).toBe(0x20);
  });

  it('ttl and tos map to hop limit and traffic class on IPv6', async () => {
    const ch = await client({ ttl: 9, tos: 0x10 }, '::1');
    expect(ch.remote.family).toBe('IPv6');
    expect(ch.readOptions()).toMatchObject({ ttl: 9, tos: 0x10 });
  });

  it('binds a source address and port on IPv6 through the pre-bind path', async () => {
    const srv = await tcpServer(() => {}, '::1');
    cleanups.push(() => srv.close());
    const sourcePort = 30000 + Math.floor(Math.random() * 10000);
    const ch = await connectTcp('::1', srv.port, {
      source: '::1',
      sourcePort,
      socket: { nodelay: true },
    });
    cleanups.push(() => ch.reset());
    expect(ch.local).toEqual({ address: '::1', port: sourcePort, family: 'IPv6' });
    expect(srv.connections[0]?.remotePort ?? sourcePort).toBe(sourcePort);
  });

  it('options change live through setOption', async () => {
    const ch = await client({});
    expect(ch.readOptions().nodelay).toBe(false);
    ch.setOption('nodelay', true);
    ch.setOption('ttl', 33);
    expect(ch.readOptions()).toMatchObject({ nodelay: true, ttl: 33 });
  });

  it('binds a fixed source port and reconnects from it right after a close', async () => {
    const srv = await tcpServer((s) => s.end());
    cleanups.push(() => srv.close());
    const sourcePort = 40000 + Math.floor(Math.random() * 10000);
    const first = await connectTcp('127.0.0.1', srv.port, { sourcePort, socket: {} });
    expect(first.local.port).toBe(sourcePort);
    await first.close();
    // Our side closed first, so this 4-tuple is in TIME_WAIT; Linux allows reuse on loopback
    // (tcp_tw_reuse=2), elsewhere the error must say why.
    try {
      const second = await connectTcp('127.0.0.1', srv.port, {
        sourcePort,
        socket: { reuseaddr: true },
      });
      expect(second.local.port).toBe(sourcePort);
      await second.close();
    } catch (err) {
      expect((err as Error).message).toMatch(/EADDRNOTAVAIL|EADDRINUSE/);
      expect((err as Error).message).toMatch(/TIME_WAIT/);
    }
  });

  it('a source port owned by a listener is a clear EADDRINUSE', async () => {
    const owner = await tcpServer();
    cleanups.push(() => owner.close());
    const target = await tcpServer();
    cleanups.push(() => target.close());
    await expect(
      connectTcp('127.0.0.1', target.port, { sourcePort: owner.port, socket: {} }),
    ).rejects.toThrow(/EADDRINUSE: .*--source-port/);
    await expect(
      connectTcp('127.0.0.1', target.port, { sourcePort: owner.port, socket: { ttl: 64 } }),
    ).rejects.toThrow(/^bind 0\.0\.0\.0:\d+: EADDRINUSE/);
  });
});

describe('TCP listener options', () => {
  async function listener(socket: SocketOptionValues): Promise<TcpListener> {
    const l = await listenTcp('127.0.0.1', 0, listenOptions({ socket }));
    cleanups.push(() => l.close());
    return l;
  }

  it('apply to each accepted socket', async () => {
    const l = await listener({ nodelay: true, keepalive: true, keepaliveIdle: 11, linger: 3, ttl: 21 });
    const accepted = new Promise<Channel>((resolve) => l.once('channel', resolve));
    const peer = await connectTo(l.address.port);
    cleanups.push(() => peer.destroy());
    const ch = await accepted;
    expect(ch.readOptions()).toMatchObject({
      nodelay: true,
      keepalive: true,
      keepaliveIdle: 11,
      linger: 3,
      ttl: 21,
    });
  });

  it('--reuseport lets two listeners share a port; without it the second is EADDRINUSE', async () => {
    const a = await listener({ reuseport: true });
    const b = await listenTcp('127.0.0.1', a.address.port, listenOptions({ socket: { reuseport: true } }));
    cleanups.push(() => b.close());
    expect(b.address.port).toBe(a.address.port);
    await expect(listenTcp('127.0.0.1', a.address.port, listenOptions())).rejects.toThrow(
      /^listen 127\.0\.0\.1:\d+: EADDRINUSE: another socket already listens/,
    );
  });
});

describe('SO_LINGER on close', () => {
  it('--linger 0: close sends RST and the peer sees ECONNRESET', async () => {
    let peer: Promise<{ data: Buffer; error?: NodeJS.ErrnoException }> | undefined;
    const srv = await tcpServer((s) => {
      peer = collect(s);
    });
    cleanups.push(() => srv.close());
    const ch = await connectTcp('127.0.0.1', srv.port, { socket: { linger: 0 } });
    ch.send(Buffer.from('bye'));
    await new Promise((r) => setTimeout(r, 50));
    await ch.close();
    const result = await peer!;
    expect(result.error?.code).toBe('ECONNRESET');
  });

  it('--linger N: close never blocks the event loop, and a peer that reads gets every byte then FIN', async () => {
    let peer: Promise<{ data: Buffer; error?: NodeJS.ErrnoException }> | undefined;
    const srv = await tcpServer((s) => {
      s.pause();
      setTimeout(() => s.resume(), 300);
      peer = collect(s);
    });
    cleanups.push(() => srv.close());
    const ch = await connectTcp('127.0.0.1', srv.port, { socket: { linger: 5 } });
    const payload = Buffer.alloc(8 << 20, 7);
    ch.send(payload);
    // The peer lives in this process: a close(2) that blocked until it read would never return.
    // How long the loop may stall is measured in bench/close-lag.mjs, not asserted here.
    let ticks = 0;
    const probe = setInterval(() => ticks++, 5);
    await ch.close();
    clearInterval(probe);
    const result = await peer!;
    expect(result.error).toBeUndefined();
    expect(result.data.length).toBe(payload.length);
    expect(ticks).toBeGreaterThan(0);
  });

  it('--linger N: when the peer never reads, the connection is aborted after N seconds without freezing', async () => {
    let peer: Promise<{ data: Buffer; error?: NodeJS.ErrnoException }> | undefined;
    const srv = await tcpServer((s) => {
      s.pause();
      peer = collect(s);
      s.pause();
    });
    cleanups.push(() => srv.close());
    const ch = await connectTcp('127.0.0.1', srv.port, { socket: { linger: 1, sndbuf: 16384 } });
    expect(ch.readOptions().linger).toBe(1);
    const sent = 16 << 20;
    ch.send(Buffer.alloc(sent));
    let ticks = 0;
    const probe = setInterval(() => ticks++, 20);
    const started = Date.now();
    await ch.close();
    clearInterval(probe);
    // Not before the linger time (a lower bound holds however busy the machine); the loop kept
    // turning meanwhile. How promptly it aborts is for bench/close-lag.mjs.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(ticks).toBeGreaterThan(0);
    // The abort discards what was never delivered: the peer ends with less than was sent.
    srv.connections[0]!.resume();
    const result = await peer!;
    expect(result.data.length).toBeLessThan(sent);
  });
});

describe('UDP options', () => {
  it('client: buffers, ttl, tos read back', async () => {
    const l = await listenUdp('127.0.0.1', 0, {
      family: undefined,
      socket: {},
      idleTimeoutMs: undefined,
      maxClients: undefined,
      source: undefined,
      sourcePort: undefined,
    });
    cleanups.push(() => l.close());
    const ch = await connectUdp('127.0.0.1', l.address.port, {
      maxClients: undefined,
      socket: { rcvbuf: 65536, ttl: 5, tos: 0x08 },
    });
    cleanups.push(() => ch.close());
    const o = ch.readOptions();
    expect(o.ttl).toBe(5);
    expect(o.tos).toBe(0x08);
    expect(o.rcvbuf).toBeGreaterThanOrEqual(65536);
  });

  it('--reuseport lets two UDP listeners share a port', async () => {
    const opts = {
      family: undefined,
      socket: { reuseport: true },
      idleTimeoutMs: undefined,
      maxClients: undefined,
      source: undefined,
      sourcePort: undefined,
    };
    const a = await listenUdp('127.0.0.1', 0, opts);
    cleanups.push(() => a.close());
    const b = await listenUdp('127.0.0.1', a.address.port, opts);
    cleanups.push(() => b.close());
    expect(b.address.port).toBe(a.address.port);
  });
});
