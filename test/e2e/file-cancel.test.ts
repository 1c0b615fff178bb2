import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type Screen, spawnScreen, tuiCommand, typeLine } from '../helpers/pty.js';

/**
 * `/file` to a peer that never reads stays in progress (its bar on screen) until Ctrl-C; the
 * cancel must take the bar away and say how far it got, in one line.
 */

const dir = mkdtempSync(join(tmpdir(), 'sockrepl-file-cancel-'));
const env = { XDG_STATE_HOME: dir };
let screen: Screen | undefined;
let server: net.Server | undefined;

afterEach(() => {
  screen?.kill();
  screen = undefined;
  server?.close();
  server = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A listener whose connections are never read: the sender's queue fills and stays full. */
function deafServer(): Promise<number> {
  const sockets: net.Socket[] = [];
  const srv = net.createServer({ pauseOnConnect: true }, (sock) => {
    sock.on('error', () => undefined);
    sockets.push(sock);
  });
  srv.on('close', () => {
    for (const s of sockets) s.destroy();
  });
  server = srv;
  return new Promise((r) => srv.listen(0, '127.0.0.1', () => r((srv.address() as net.AddressInfo).port)));
}

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}; the screen shows:\n${screen?.text()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('/file cancelled with Ctrl-C', () => {
  it('removes its progress bar and says how many bytes went', async () => {
    // 256 MiB (sparse): far more than loopback's socket buffers hold, so the send cannot finish.
    const file = join(dir, 'big.bin');
    const fd = openSync(file, 'w');
    ftruncateSync(fd, 256 * 1024 * 1024);
    closeSync(fd);
    const port = await deafServer();
    screen = spawnScreen(tuiCommand(['connect', '127.0.0.1', String(port)]), { env, cols: 120 });
    await screen.waitFor(/ESTABLISHED/, 10_000);
    await typeLine(screen, `/file ${file}`);
    await screen.waitFor(/sending big\.bin .*%/, 10_000);
    screen.type('\x03');
    await screen.waitFor(/cancelled after \d+ of 268435456 bytes/, 10_000);
    await until(() => !/sending big\.bin/.test(screen!.text()), 'the progress bar stayed on screen');
    const [, sent] = /cancelled after (\d+) of/.exec(screen.text())!;
    expect(Number(sent)).toBeGreaterThan(0);
    expect(Number(sent)).toBeLessThan(256 * 1024 * 1024);
    // The session goes on: the prompt still takes commands.
    await typeLine(screen, '/quit');
    let code: number | undefined;
    void screen.exited.then((c) => {
      code = c;
    });
    await until(() => code !== undefined, 'the program did not exit after /quit', 30_000);
    expect(code).toBe(0);
  });
});
