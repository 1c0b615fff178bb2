import * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { connect } from '../../src/index.js';
import { cleanupAfterEach } from '../helpers/cleanups.js';
import { runCli } from '../helpers/cli.js';
import { hasCommand, startPeer, waitListening } from '../helpers/peer-process.js';
import { freePort } from '../helpers/servers.js';
import { socks5Server } from '../helpers/socks5-server.js';

/** Connecting through proxies: ncat's HTTP proxy, and a SOCKS5 server run by the test. */
const haveNcat = hasCommand('ncat');
const cleanups = cleanupAfterEach();

/** An echo server on loopback: the destination behind the proxy (half-close kept). */
async function echoServer(): Promise<number> {
  const server = net.createServer({ allowHalfOpen: true }, (s) => s.pipe(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => server.close());
  return (server.address() as net.AddressInfo).port;
}

describe('SOCKS5 (a server started by the test)', () => {
  it('--proxy-type socks5 reaches the destination; local DNS sends an address', async () => {
    const socks = await socks5Server();
    cleanups.push(() => socks.close());
    const port = await echoServer();
    const r = await runCli(
      ['--proxy', `127.0.0.1:${socks.port}`, '--proxy-type', 'socks5', '-N', 'localhost', String(port)],
      'through socks\n',
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.toString()).toBe('through socks\n');
    expect(socks.requests[0]).toMatchObject({ kind: 'ipv4', host: '127.0.0.1', port });
  });

  it('--proxy-dns remote hands the name to the proxy', async () => {
    const socks = await socks5Server();
    cleanups.push(() => socks.close());
    const port = await echoServer();
    const r = await runCli(
      [
        '--proxy',
        `127.0.0.1:${socks.port}`,
        '--proxy-type',
        'socks5',
        '--proxy-dns',
        'remote',
        '-N',
        'localhost',
        String(port),
      ],
      'named\n',
    );
    expect(r.stdout.toString()).toBe('named\n');
    expect(socks.requests[0]).toMatchObject({ kind: 'domain', host: 'localhost' });
  });

  it('user/password authentication, and its refusal', async () => {
    const socks = await socks5Server({ user: 'alice', password: 's3cret' });
    cleanups.push(() => socks.close());
    const port = await echoServer();
    const base = ['--proxy', `127.0.0.1:${socks.port}`, '--proxy-type', 'socks5'];
    const ok = await runCli(
      [...base, '--proxy-auth', 'alice:s3cret', '-N', '127.0.0.1', String(port)],
      'authed\n',
    );
    expect(ok.stdout.toString()).toBe('authed\n');
    const bad = await runCli([...base, '--proxy-auth', 'alice:wrong', '127.0.0.1', String(port)]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/proxy 127\.0\.0\.1:\d+ \(socks5\) to 127\.0\.0\.1:\d+: .*authentication/);
    const none = await runCli([...base, '127.0.0.1', String(port)]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/--proxy-auth/);
  });

  it("names the proxy's reply when the destination refuses", async () => {
    const socks = await socks5Server();
    cleanups.push(() => socks.close());
    const closed = await freePort();
    const r = await runCli([
      '--proxy',
      `127.0.0.1:${socks.port}`,
      '--proxy-type',
      'socks5',
      '127.0.0.1',
      String(closed),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/connection refused by the destination \(SOCKS reply 5\)/);
  });

  it('the library: connect(…, { proxy, proxyType })', async () => {
    const socks = await socks5Server();
    cleanups.push(() => socks.close());
    const port = await echoServer();
    const tube = await connect('127.0.0.1', port, {
      proxy: `127.0.0.1:${socks.port}`,
      proxyType: 'socks5',
    } as never);
    cleanups.push(() => tube.close());
    await tube.sendLine('lib');
    await tube.expect('lib\n');
  });

  it('--proxy-type without --proxy is a usage error', async () => {
    const r = await runCli(['--proxy-type', 'socks5', '127.0.0.1', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs --proxy host:port/);
  });
});

/** A destination that greets and closes: ncat's proxy closes both ways at a client's FIN, so the
 * HTTP tests read rather than echo. */
async function greeter(): Promise<number> {
  const server = net.createServer((s) => s.end('hello through the tunnel\n'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => server.close());
  return (server.address() as net.AddressInfo).port;
}

describe.skipIf(!haveNcat)('HTTP CONNECT through ncat -l --proxy-type http', () => {
  async function ncatProxy(extra: string[] = []): Promise<number> {
    const port = await freePort();
    startPeer(cleanups, 'ncat', ['-l', '-k', '127.0.0.1', String(port), '--proxy-type', 'http', ...extra], {
      keepOpen: true,
    });
    await waitListening(port);
    return port;
  }

  it('tunnels to the destination', async () => {
    const proxy = await ncatProxy();
    const port = await greeter();
    const r = await runCli(['--proxy', `127.0.0.1:${proxy}`, '--recv-only', '127.0.0.1', String(port)]);
    expect(r.stdout.toString()).toBe('hello through the tunnel\n');
    expect(r.code).toBe(0);
  });

  it('says the status line when the proxy refuses, and asks for --proxy-auth on 407', async () => {
    const proxy = await ncatProxy(['--proxy-auth', 'bob:pw']);
    const port = await echoServer();
    const r = await runCli(['--proxy', `127.0.0.1:${proxy}`, '127.0.0.1', String(port)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the proxy refused the tunnel: HTTP\/1\.\d 407 .*\(--proxy-auth user:pass\)/);
    const greeting = await greeter();
    const ok = await runCli([
      '--proxy',
      `127.0.0.1:${proxy}`,
      '--proxy-auth',
      'bob:pw',
      '--recv-only',
      '127.0.0.1',
      String(greeting),
    ]);
    expect(ok.stdout.toString()).toBe('hello through the tunnel\n');
  });

  it('TLS through the tunnel: --ssl over an HTTP proxy', async () => {
    const proxy = await ncatProxy();
    const port = await freePort();
    startPeer(cleanups, 'ncat', ['--ssl', '-l', '127.0.0.1', String(port)], { keepOpen: true });
    await waitListening(port);
    const r = await runCli(
      ['--proxy', `127.0.0.1:${proxy}`, '--ssl', '-v', '-q', '0', '127.0.0.1', String(port)],
      'x',
    );
    expect(r.stderr).toMatch(/TLS with .*TLSv1\.[23]/);
  });
});
