import { mkdtempSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Screen, spawnScreen, tuiCommand, typeLine } from '../helpers/pty.js';

const state = mkdtempSync(join(tmpdir(), 'sockrepl-state-'));
const env = { XDG_STATE_HOME: state };
let screen: Screen | undefined;
const servers: net.Server[] = [];

afterEach(async () => {
  screen?.kill();
  screen = undefined;
  for (const s of servers.splice(0)) s.close();
});

function echoServer(onData?: (sock: net.Socket, d: Buffer) => void): Promise<number> {
  const server = net.createServer((sock) => {
    sock.on('error', () => undefined);
    sock.on('data', (d) => (onData ? onData(sock, d) : sock.write(Buffer.concat([Buffer.from('echo:'), d]))));
  });
  servers.push(server);
  return new Promise((r) =>
    server.listen(0, '127.0.0.1', () => r((server.address() as net.AddressInfo).port)),
  );
}

describe('the interactive REPL in a pseudo-terminal', () => {
  it('connects, sends a typed line, shows the reply as hex and text; /quit leaves', async () => {
    const port = await echoServer();
    screen = spawnScreen(tuiCommand(['connect', '127.0.0.1', String(port)]), { env });
    await screen.waitFor(/ESTABLISHED/);
    await typeLine(screen, 'hello');
    await screen.waitFor(/→ out 6 B/);
    await screen.waitFor(/← in {2}11 B/);
    expect(screen.text()).toMatch(/00000000 {2}65 63 68 6f 3a 68 65 6c {2}6c 6f 0a +\|echo:hello\.\|/);
    await typeLine(screen, '/quit');
    expect(await screen.exited).toBe(0);
  });

  it('/enc gbk turns bytes d6 d0 ce c4 into 中文', async () => {
    const port = await echoServer((sock) => sock.write(Buffer.from([0xd6, 0xd0, 0xce, 0xc4])));
    screen = spawnScreen(tuiCommand(['connect', '127.0.0.1', String(port)]), { env });
    await screen.waitFor(/ESTABLISHED/);
    await typeLine(screen, 'x');
    await screen.waitFor(/d6 d0 ce c4/);
    expect(screen.text()).not.toContain('中文');
    await typeLine(screen, '/enc gbk');
    await screen.waitFor(/\|中文\|/);
    // Ctrl-C twice leaves.
    screen.type('\x03');
    await screen.waitFor(/press Ctrl-C again/);
    screen.type('\x03');
    expect(await screen.exited).toBe(0);
  });

  it('a UTF-8 character split between two reads shows whole in the hex view, once', async () => {
    const bytes = Buffer.from('héllo 世界 ok');
    // Each typed line releases one part: the two reads stay two however slow the screen starts.
    const parts = [bytes.subarray(0, 8), bytes.subarray(8)];
    const port = await echoServer((sock) => {
      sock.setNoDelay(true);
      const part = parts.shift();
      if (part) sock.write(part);
    });
    screen = spawnScreen(tuiCommand(['connect', '127.0.0.1', String(port)]), { env });
    await screen.waitFor(/ESTABLISHED/);
    await typeLine(screen, 'x');
    await screen.waitFor(/68 c3 a9 6c 6c 6f 20 e4 +\|hé llo {2}\|/);
    await typeLine(screen, 'y');
    await screen.waitFor(/b8 96 e7 95 8c 20 6f 6b +\|世界 {2}ok\|/);
    expect(screen.text()).toMatch(/68 c3 a9 6c 6c 6f 20 e4 +\|hé llo {2}\|/);
    await typeLine(screen, '/quit');
    expect(await screen.exited).toBe(0);
  });

  it('--recv-only sends nothing typed; --send-only does not show what arrives', async () => {
    const got: Buffer[] = [];
    const port = await echoServer((sock, d) => {
      got.push(d);
      sock.write('pong\n');
    });
    screen = spawnScreen(tuiCommand(['--recv-only', 'connect', '127.0.0.1', String(port)]), { env });
    await screen.waitFor(/#1 open/);
    await typeLine(screen, 'hello');
    await screen.waitFor('--recv-only: this session sends nothing');
    await typeLine(screen, '/quit');
    expect(await screen.exited).toBe(0);
    expect(got).toEqual([]);

    screen = spawnScreen(tuiCommand(['--send-only', 'connect', '127.0.0.1', String(port)]), { env });
    await screen.waitFor(/#1 open/);
    await typeLine(screen, 'ping');
    await screen.waitFor(/→ out 5 B/);
    // The reply is counted, not shown.
    await screen.waitFor(/in 5 B out 5 B/);
    expect(screen.text()).not.toMatch(/← in|pong/);
    await typeLine(screen, '/quit');
    expect(await screen.exited).toBe(0);
  });

  it('listen with two clients: /use 2 answers one, /all answers both', async () => {
    screen = spawnScreen(tuiCommand(['listen', '-k', '127.0.0.1', '0']), { env });
    await screen.waitFor(/listening on 127\.0\.0\.1:(\d+)/);
    const port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(screen.text())![1]);
    const got: string[] = ['', ''];
    const clients = [0, 1].map((i) => {
      const c = net.connect(port, '127.0.0.1');
      c.on('data', (d) => {
        got[i] += d.toString();
      });
      return c;
    });
    await screen.waitFor(/2 clients/);
    const ids = [...screen.text().matchAll(/#(\d+) open/g)].map((m) => m[1]);
    expect(ids).toHaveLength(2);
    await typeLine(screen, `/use ${ids[1]}`);
    await screen.waitFor(`sending to connection ${ids[1]}`);
    await typeLine(screen, 'only-two');
    await screen.waitFor(/→ out 9 B/);
    await typeLine(screen, '/all');
    await typeLine(screen, 'both');
    const deadline = Date.now() + 3000;
    while ((got[0] !== 'both\n' || got[1] !== 'only-two\nboth\n') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(got).toEqual(['both\n', 'only-two\nboth\n']);
    for (const c of clients) c.destroy();
    await typeLine(screen, '/quit');
    expect(await screen.exited).toBe(0);
  });
});
