import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../helpers/cleanups.js';
import { hasCommand, startPeer } from '../helpers/peer-process.js';
import { spawnScreen, tuiCommand, typeLine } from '../helpers/pty.js';

/** The REPL over a unix datagram socket (-u -U) to socat UNIX-RECVFROM echoing with cat. */
const dir = mkdtempSync(join(tmpdir(), 'sockrepl-dgram-repl-'));
const env = { XDG_STATE_HOME: dir };
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cleanups = cleanupAfterEach();

describe.skipIf(!hasCommand('socat'))('the REPL over -u -U', () => {
  it('sends a typed line as a datagram and shows the echo', async () => {
    const path = join(dir, 'echo.sock');
    startPeer(cleanups, 'socat', [`UNIX-RECVFROM:${path},fork`, 'EXEC:cat']);
    const deadline = Date.now() + 10_000;
    while (!existsSync(path) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const screen = spawnScreen(tuiCommand(['connect', '-u', '-U', path]), { env });
    cleanups.push(() => screen.kill());
    await screen.waitFor(/@[0-9a-f]{5}/);
    await typeLine(screen, 'hello');
    await screen.waitFor(/← in {2}6 B/);
    expect(screen.text()).toMatch(/68 65 6c 6c 6f 0a/);
    await typeLine(screen, '/quit');
    expect(await screen.exited).toBe(0);
  });
});
