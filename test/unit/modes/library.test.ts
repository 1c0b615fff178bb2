import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { closeAllOpen, connect, listen, udp } from '../../../src/modes/library.js';
import { TimeoutError } from '../../../src/tube/errors.js';
import { testServer } from '../../helpers/test-server.js';

afterEach(async () => {
  await closeAllOpen();
});

describe('connect', () => {
  it('takes friendly option names, applied to the socket and the tube', async () => {
    const server = await testServer();
    const tube = await connect('127.0.0.1', server.port, {
      nodelay: true,
      keepalive: '30s',
      linger: 0,
      rcvbuf: '64k',
      timeout: '250ms',
      eol: 'crlf',
    });
    const peer = await server.nextClient();
    const info = tube.info();
    expect(info.options).toMatchObject({ nodelay: true, keepalive: true, keepaliveIdle: 30, linger: 0 });
    expect(info.options?.rcvbuf).toBeGreaterThanOrEqual(64 * 1024);
    expect(tube.timeout).toBe(250);
    const got = new Promise<string>((resolve) => peer.once('data', (d: Buffer) => resolve(d.toString())));
    await tube.sendLine('hi');
    expect(await got).toBe('hi\r\n');
    await expect(tube.expect('never')).rejects.toBeInstanceOf(TimeoutError);
    tube.reset();
    await server.close();
  });

  it('binds the source port it is given', async () => {
    const server = await testServer();
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const sourcePort = (probe.address() as net.AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const tube = await connect('127.0.0.1', server.port, { sourcePort });
    const peer = await server.nextClient();
    expect(peer.remotePort).toBe(sourcePort);
    expect(tube.info().local.port).toBe(sourcePort);
    await server.close();
  });

  it('rejects unknown options and bad values with the names the caller wrote', async () => {
    await expect(connect('127.0.0.1', 1, { nodelai: true } as never)).rejects.toThrow(
      /^connect: unknown option 'nodelai'; did you mean 'nodelay'\? \(known: .*nodelay, /,
    );
    await expect(connect('127.0.0.1', 1, { sourcePort: 70000 })).rejects.toThrow(
      new UsageError('sourcePort: 70000 is out of range (1..65535)'),
    );
    await expect(connect('127.0.0.1', 1, { linger: 'soon' })).rejects.toThrow(
      /^linger: 'soon' is not a duration/,
    );
    await expect(connect('127.0.0.1', 1, { udp: true, nodelay: true })).rejects.toThrow(
      'nodelay applies to TCP only, not with udp',
    );
  });

  it('checks timeouts given as text', async () => {
    await expect(connect('127.0.0.1', 1, { connectTimeout: 'soonish' })).rejects.toThrow(
      /^connectTimeout: 'soonish' is not a duration/,
    );
  });
});

describe('listen', () => {
  it('hands clients over as tubes, in order, with nothing they sent early lost', async () => {
    const listener = await listen(0, { host: '127.0.0.1' });
    const a = net.connect(listener.port, '127.0.0.1', () => a.write('first client'));
    await new Promise((r) => setTimeout(r, 100));
    const b = net.connect(listener.port, '127.0.0.1', () => b.write('second client'));
    const ta = await listener.accept();
    const tb = await listener.accept();
    expect((await ta.recvExactly(12)).toString()).toBe('first client');
    expect((await tb.recvExactly(13)).toString()).toBe('second client');
    await ta.send('bye');
    const got = await new Promise<string>((resolve) => a.once('data', (d: Buffer) => resolve(d.toString())));
    expect(got).toBe('bye');
    a.destroy();
    b.destroy();
    await listener.close();
  });

  it('accept times out with a TimeoutError; clients also come through for await', async () => {
    const listener = await listen(0, { host: '127.0.0.1', timeout: '1s' });
    await expect(listener.accept({ timeout: 100 })).rejects.toThrow(
      /timed out after 100ms waiting for a client on port \d+/,
    );
    const c = net.connect(listener.port, '127.0.0.1', () => c.end('x'));
    for await (const tube of listener) {
      expect(await tube.expect('eof')).toMatchObject({ kind: 'eof' });
      expect(tube.timeout).toBe(1000);
      break;
    }
    await listener.close();
  });

  it('listens on UDP: each sender is a tube', async () => {
    const listener = await listen(0, { host: '127.0.0.1', udp: true });
    const sock = dgram.createSocket('udp4');
    const reply = new Promise<string>((resolve) => sock.on('message', (m) => resolve(m.toString())));
    sock.send('ping', listener.port, '127.0.0.1');
    const tube = await listener.accept();
    await tube.expect('ping');
    await tube.send('pong');
    expect(await reply).toBe('pong');
    sock.close();
    await listener.close();
  });
});

describe('udp', () => {
  it('sends datagrams and receives the replies', async () => {
    const server = dgram.createSocket('udp4');
    server.on('message', (m, from) =>
      server.send(Buffer.concat([Buffer.from('re:'), m]), from.port, from.address),
    );
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
    const tube = await udp('127.0.0.1', server.address().port, { timeout: '2s' });
    await tube.send('one');
    const m = await tube.expect(/re:(\w+)/);
    expect(m[1]).toBe('one');
    expect(tube.info().proto).toBe('udp');
    await tube.close();
    server.close();
  });
});

describe('closeAllOpen', () => {
  it('closes what a script left open and says how much', async () => {
    const server = await testServer();
    const listener = await listen(0, { host: '127.0.0.1' });
    const tube = await connect('127.0.0.1', server.port);
    const peer = await server.nextClient();
    const ended = new Promise((resolve) => peer.once('end', resolve));
    expect(await closeAllOpen()).toBe(2);
    await ended;
    expect(tube.info().writeClosed).toBe(true);
    await expect(listener.accept({ timeout: 50 })).rejects.toThrow();
    await server.close();
  });
});
