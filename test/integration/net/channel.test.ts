import { describe, expect, it } from 'vitest';
import type { Channel } from '../../../src/net/channel.js';
import { connectTcp } from '../../../src/net/tcp-connect.js';
import { listenTcp } from '../../../src/net/tcp-listen.js';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { sleep } from '../../helpers/cli.js';
import { listenOptions } from '../../helpers/listen-options.js';
import { connectTo, tcpServer } from '../../helpers/servers.js';

const cleanups = cleanupAfterEach();

function firstData(channel: Channel): Promise<string> {
  return new Promise((resolve) => channel.once('data', (chunk) => resolve(chunk.toString())));
}

describe('a channel keeps what arrives before anyone listens', () => {
  for (const borrowedReads of [false, true]) {
    it(`a peer that speaks first is heard after an await (borrowedReads=${borrowedReads})`, async () => {
      const srv = await tcpServer((s) => s.write('banner\n'));
      cleanups.push(() => srv.close());
      const ch = await connectTcp('127.0.0.1', srv.port, { socket: {}, borrowedReads });
      cleanups.push(() => ch.reset());
      await sleep(100);
      expect(await firstData(ch)).toBe('banner\n');
    });

    it(`an accepted client's first bytes wait for the listener's owner (borrowedReads=${borrowedReads})`, async () => {
      const l = await listenTcp('127.0.0.1', 0, listenOptions({ borrowedReads }));
      cleanups.push(() => l.close());
      const accepted = new Promise<Channel>((resolve) => l.once('channel', resolve));
      const peer = await connectTo(l.address.port);
      cleanups.push(() => peer.destroy());
      peer.write('hello\n');
      const ch = await accepted;
      await sleep(100);
      expect(await firstData(ch)).toBe('hello\n');
    });
  }
});

describe('closing a UDP channel', () => {
  it('delivers every datagram already sent before the socket closes', async () => {
    const dgram = await import('node:dgram');
    const server = dgram.createSocket('udp4');
    cleanups.push(() => server.close());
    const got: string[] = [];
    server.on('message', (m) => got.push(m.toString()));
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
    const { connectUdp } = await import('../../../src/net/udp.js');
    const ch = await connectUdp('127.0.0.1', server.address().port, {
      socket: {},
      maxClients: undefined,
    });
    for (let i = 0; i < 20; i++) ch.send(Buffer.from(`d${i}`));
    await ch.close();
    await sleep(100);
    expect(got).toHaveLength(20);
  });
});

describe('an explicit pause() made before the first listener stays in force', () => {
  it('TCP (borrowed reads) and UDP hold the bytes until resume()', async () => {
    const srv = await tcpServer((s) => s.write('early\n'));
    cleanups.push(() => srv.close());
    const tcp = await connectTcp('127.0.0.1', srv.port, { socket: {}, borrowedReads: true });
    cleanups.push(() => tcp.reset());
    tcp.pause();
    const got: string[] = [];
    tcp.on('data', (c) => got.push(c.toString()));
    await sleep(100);
    expect(got).toEqual([]);
    tcp.resume();
    await sleep(50);
    expect(got).toEqual(['early\n']);

    const dgram = await import('node:dgram');
    const server = dgram.createSocket('udp4');
    cleanups.push(() => server.close());
    server.on('message', (m, r) => server.send(m, r.port, r.address));
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
    const { connectUdp } = await import('../../../src/net/udp.js');
    const udp = await connectUdp('127.0.0.1', server.address().port, {
      socket: {},
      maxClients: undefined,
    });
    cleanups.push(() => udp.close());
    udp.pause();
    const echoed: string[] = [];
    udp.on('data', (c) => echoed.push(c.toString()));
    udp.send(Buffer.from('ping'));
    await sleep(100);
    expect(echoed).toEqual([]);
    udp.resume();
    expect(echoed).toEqual(['ping']);
  });
});
