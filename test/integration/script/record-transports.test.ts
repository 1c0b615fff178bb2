import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki, type TestPki } from '../../helpers/certs.js';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { runCli } from '../../helpers/cli.js';
import { run } from './helpers.js';

/**
 * A recorded session reconnects the way it was made: over the same unix socket (`connect
 * unix=PATH`, quoted when the path needs it), with TLS from the first byte (`ssl` and its words),
 * or upgraded in the middle (`starttls`). Each is recorded through `--json --record`, then
 * `sockrepl run` replays it against the same server and must pass.
 */

let pki: TestPki;
beforeAll(async () => {
  pki = await makeTestPki();
}, 60_000);
afterAll(() => pki?.remove());
const cleanups = cleanupAfterEach();
// A space in the directory: the recorded path must be quoted to survive the script lexer.
const dir = mkdtempSync(join(tmpdir(), 'sockrepl rec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Answers each line with `echo: line`; `plain` is the socket the listener accepted. */
function echo(socket: net.Socket | tls.TLSSocket): void {
  socket.on('error', () => undefined);
  socket.on('data', (d: Buffer) => socket.write(`echo: ${d}`));
}

async function serve(server: net.Server, ...at: [string] | [number, string]): Promise<void> {
  await new Promise<void>((r) => server.listen(...(at as [number, string]), () => r()));
  cleanups.push(() => new Promise((r) => server.close(() => r(undefined))));
}

async function recordThenReplay(file: string, args: string[], commands: string[]): Promise<string> {
  const session = await runCli(['--json', ...args, '--record', file], `${commands.join('\n')}\n`, 15_000);
  expect(session.stderr).toBe('');
  expect(session.code).toBe(0);
  const script = readFileSync(file, 'utf8');
  const replay = await run([file]);
  expect(replay.stderr, script).toBe('');
  expect(replay.code, `${script}\n${replay.out}`).toBe(0);
  return script;
}

const ECHO = ['hello', '/expect "echo: hello\\n" 5s', '/quit'];

describe('a recorded session replays over the same transport', () => {
  it('a unix socket (its path has a space)', async () => {
    const path = join(dir, 'echo sock');
    const server = net.createServer(echo);
    await serve(server, path);
    const script = await recordThenReplay(join(dir, 'unix.srs'), ['-U', path], ECHO);
    expect(script).toContain(`connect unix=${JSON.stringify(path)}\n`);
  });

  it('TLS from the first byte, with the words that checked the certificate', async () => {
    const server = tls.createServer(
      { cert: readFileSync(pki.server.cert), key: readFileSync(pki.server.key) },
      echo,
    );
    await serve(server, 0, '127.0.0.1');
    const port = (server.address() as net.AddressInfo).port;
    const args = ['--ssl-verify', '--ssl-trustfile', pki.ca.cert, '127.0.0.1', String(port)];
    const script = await recordThenReplay(join(dir, 'tls.srs'), args, ECHO);
    expect(script).toMatch(/^connect 127\.0\.0\.1 \d+ .*\bssl\b.*\bssl-verify\b.*\bssl-trustfile=/m);
  });

  it('STARTTLS in the middle of the session', async () => {
    const server = net.createServer((s) => {
      s.on('error', () => undefined);
      s.write('220 ready\r\n');
      s.once('data', () => {
        s.write('220 go ahead\r\n');
        const t = new tls.TLSSocket(s, {
          isServer: true,
          cert: readFileSync(pki.server.cert),
          key: readFileSync(pki.server.key),
        });
        echo(t);
      });
    });
    await serve(server, 0, '127.0.0.1');
    const port = (server.address() as net.AddressInfo).port;
    const commands = [
      '/expect "220 ready\\r\\n" 5s',
      '/send "STARTTLS\\r\\n"',
      '/expect "go ahead\\r\\n" 5s',
      `/starttls ssl-verify ssl-trustfile=${pki.ca.cert}`,
      ...ECHO,
    ];
    const script = await recordThenReplay(join(dir, 'starttls.srs'), ['127.0.0.1', String(port)], commands);
    expect(script).toMatch(
      /expect "220 go ahead\\r\\n"\nstarttls ssl-verify ssl-trustfile=\S+\nsend "hello\\n"/,
    );
  });
});
