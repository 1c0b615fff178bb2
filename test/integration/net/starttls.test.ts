import { readFileSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, listen } from '../../../src/index.js';
import { makeTestPki, type TestPki } from '../../helpers/certs.js';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { CliProcess, runCli } from '../../helpers/cli.js';
import { parseJsonEvents } from '../../helpers/json-events.js';

/**
 * STARTTLS: a plaintext exchange, then the same connection upgraded in place, with the
 * negotiation done by the user's own send/expect (SMTP-style here). Both roles, the library's
 * tube.startTls(), and a script's `starttls`.
 */
let pki: TestPki;
beforeAll(async () => {
  pki = await makeTestPki();
}, 60_000);
afterAll(() => pki?.remove());
const cleanups = cleanupAfterEach();

/** An SMTP-like server: plaintext greeting, STARTTLS, then a TLS echo with a prefix. */
async function starttlsServer(): Promise<number> {
  const server = net.createServer((s) => {
    s.write('220 ready\r\n');
    let seen = '';
    const onData = (d: Buffer) => {
      seen += d.toString();
      if (!seen.includes('STARTTLS\r\n')) return;
      s.off('data', onData);
      s.write('220 go ahead\r\n');
      const t = new tls.TLSSocket(s, {
        isServer: true,
        cert: readFileSync(pki.server.cert),
        key: readFileSync(pki.server.key),
      });
      t.on('data', (chunk) => t.write(`secure: ${chunk}`));
      t.on('error', () => {});
    };
    s.on('data', onData);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => server.close());
  return (server.address() as net.AddressInfo).port;
}

describe('STARTTLS', () => {
  it('tube.startTls() upgrades a plaintext connection; expect sees plaintext on both sides', async () => {
    const port = await starttlsServer();
    const tube = await connect('127.0.0.1', port, { sslTrustfile: pki.ca.cert, sslServername: 'localhost' });
    cleanups.push(() => tube.close());
    await tube.expect('220 ready');
    await tube.send('STARTTLS\r\n');
    await tube.expect('220 go ahead\r\n');
    const info = await tube.startTls({ verify: true });
    expect(info.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(info.authorized).toBe(true);
    expect(info.peer?.subject).toBe('CN=localhost');
    await tube.sendLine('hello');
    await tube.expect('secure: hello\n');
    expect(tube.info().tls?.cipher).toBeTruthy();
  });

  it('a refused certificate at STARTTLS is one clear error', async () => {
    const port = await starttlsServer();
    const tube = await connect('127.0.0.1', port);
    cleanups.push(() => tube.close());
    await tube.expect('220 ready');
    await tube.send('STARTTLS\r\n');
    await tube.expect('220 go ahead\r\n');
    await expect(tube.startTls({ verify: true })).rejects.toThrow(/TLS handshake with .*unknown CA/);
  });

  it('an accepted connection plays the server, with a generated certificate', async () => {
    const listener = await listen(0, { host: '127.0.0.1' });
    cleanups.push(() => listener.close());
    const accepted = new Promise<import('../../../src/index.js').Tube>((r) => listener.once('tube', r));
    const plain = net.connect(listener.port, '127.0.0.1');
    cleanups.push(() => plain.destroy());
    const server = await accepted;
    plain.write('STARTTLS\r\n');
    await server.expect('STARTTLS\r\n');
    const upgraded = server.startTls();
    const client = tls.connect({ socket: plain, rejectUnauthorized: false });
    await new Promise<void>((r) => client.once('secureConnect', () => r()));
    const info = await upgraded;
    expect(info.role).toBe('server');
    client.write('over tls');
    await server.expect('over tls');
    client.destroy();
  });

  it('a script: expect, send, starttls, then expect over TLS', async () => {
    const port = await starttlsServer();
    const script = join(pki.dir, 'starttls.srs');
    writeFileSync(
      script,
      [
        `connect 127.0.0.1 ${port} ssl-trustfile=${pki.ca.cert}`,
        'expect "220 ready" 5s',
        'send "STARTTLS\\r\\n"',
        'expect "220 go ahead\\r\\n" 5s',
        'starttls ssl-verify ssl-servername=localhost',
        'send "hi\\n"',
        'expect "secure: hi" 5s',
      ].join('\n'),
    );
    const r = await runCli(['run', script]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toMatch(/TLS started: TLSv1\.3 \S+; certificate verified/);
  });

  it('--json: the open event of a --ssl connection carries the TLS session', async () => {
    const server = await new Promise<tls.Server>((resolve) => {
      const s = tls.createServer(
        { cert: readFileSync(pki.server.cert), key: readFileSync(pki.server.key), ALPNProtocols: ['h2'] },
        (c) => c.end('bye\n'),
      );
      s.listen(0, '127.0.0.1', () => resolve(s));
    });
    cleanups.push(() => server.close());
    const port = (server.address() as net.AddressInfo).port;
    const r = await runCli(['--json', '--ssl', '--ssl-alpn', 'h2', '127.0.0.1', String(port)], '');
    const open = parseJsonEvents<{ type: string; tls?: Record<string, unknown> }>(r.stdout).find(
      (e) => e.type === 'open',
    );
    expect(open?.tls).toMatchObject({ role: 'client', alpn: 'h2', authorized: false });
    const peer = open?.tls?.peer as { fingerprint256: string } | undefined;
    expect(peer?.fingerprint256).toBe(pki.server.fingerprint256);
  });
});

describe('proxy with TLS on both legs', () => {
  it('proxy --ssl terminates TLS from clients, --upstream-ssl originates it to the backend', async () => {
    const backend = tls.createServer(
      { cert: readFileSync(pki.server.cert), key: readFileSync(pki.server.key) },
      (c) => c.on('data', (d) => c.write(`backend: ${d}`)),
    );
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
    cleanups.push(() => backend.close());
    const backendPort = (backend.address() as net.AddressInfo).port;
    const proxy = new CliProcess([
      'proxy',
      '--ssl',
      '--upstream-ssl-verify',
      '--upstream-ssl-trustfile',
      pki.ca.cert,
      '--upstream-ssl-servername',
      'localhost',
      '-v',
      '0',
      '127.0.0.1',
      String(backendPort),
    ]);
    cleanups.push(() => proxy.kill());
    const port = await proxy.listeningPort();
    const client = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
    cleanups.push(() => client.destroy());
    let got = '';
    client.on('data', (d) => {
      got += d;
    });
    client.write('hi');
    const deadline = Date.now() + 10_000;
    while (got !== 'backend: hi' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(got).toBe('backend: hi');
  });
});
