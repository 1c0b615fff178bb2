import { mkdtempSync } from 'node:fs';
import type * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { spawnScreen, tuiCommand, typeLine } from '../../helpers/pty.js';
import { connectTo, tcpServer } from '../../helpers/servers.js';

const env = { XDG_STATE_HOME: mkdtempSync(join(tmpdir(), 'sockrepl-state-')) };
const cleanups = cleanupAfterEach();

describe('sockrepl proxy on the interactive screen', () => {
  it('shows the relay, each client’s traffic both ways, and the faults switched on and off', async () => {
    const srv = await tcpServer((s) =>
      s.on('data', (d: Buffer) => s.write(Buffer.concat([Buffer.from('echo:'), d]))),
    );
    cleanups.push(() => srv.close());
    const screen = spawnScreen(
      tuiCommand([
        'proxy',
        '0',
        '127.0.0.1',
        String(srv.port),
        '-s',
        '127.0.0.1',
        '--fault',
        'delay:50ms,dir=out',
      ]),
      { env, cols: 140 },
    );
    cleanups.push(() => screen.kill());
    await screen.waitFor(new RegExp(`proxy 127\\.0\\.0\\.1:\\d+ → 127\\.0\\.0\\.1:${srv.port} {2}0 clients`));
    expect(screen.text()).toContain('fault delay:50ms,dir=out');
    const port = Number(/proxy 127\.0\.0\.1:(\d+)/.exec(screen.text())![1]);
    const c: net.Socket = await connectTo(port);
    cleanups.push(() => c.destroy());
    let reply = '';
    c.on('data', (d) => {
      reply += d;
    });
    await screen.waitFor(/1 client\b/);
    c.write('hello');
    await screen.waitFor(/← in {2}5 B/);
    await screen.waitFor(/→ out 10 B/);
    await screen.waitFor(/\|echo:hello\|/);
    expect(reply).toBe('echo:hello');
    await typeLine(screen, '/fault clear');
    await screen.waitFor(/faults off: #1 delay:50ms,dir=out/);
    expect(screen.text()).not.toContain('│ fault ');
    await typeLine(screen, '/quit');
    expect(await screen.exited).toBe(0);
  });
});
