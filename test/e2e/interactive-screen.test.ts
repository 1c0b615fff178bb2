// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${PORT} is the script language's own variable syntax.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { type Screen, spawnScreen, typeLine } from '../helpers/pty.js';
import { lineServer, scriptDir } from '../integration/script/helpers.js';

/**
 * A script logs in, then `interactive` opens the screen on its connection (in a pseudo-terminal):
 * what the script received and did not consume is on screen, typed lines reach the server, and
 * /quit returns to the script, whose next step runs on the same connection.
 */

const state = mkdtempSync(join(tmpdir(), 'sockrepl-state-'));
const dir = scriptDir();
afterAll(() => dir.cleanup());
let screen: Screen | undefined;
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  screen?.kill();
  screen = undefined;
  await close?.();
});

const SCRIPT = `connect 127.0.0.1 \${PORT}
expect "login: "
send "alice\\n"
expect "welcome alice\\n"
interactive
send "after\\n"
expect "done\\n"
`;

describe('interactive in a script, on a terminal', () => {
  it('opens the screen on the logged-in connection and goes on after /quit', async () => {
    const lines: string[] = [];
    const srv = await lineServer(
      (line) => {
        lines.push(line);
        if (line === 'alice') return 'welcome alice\nMOTD: be-nice\nprompt> ';
        if (line === 'hi') return 'you said hi\n';
        if (line === 'after') return 'done\n';
        return undefined;
      },
      { greeting: 'banner\nlogin: ' },
    );
    close = () => srv.close();
    const file = dir.write('login.srs', SCRIPT);
    screen = spawnScreen([BIN, 'run', file, '--var', `PORT=${srv.port}`], {
      env: { XDG_STATE_HOME: state },
    });
    // The bytes after the welcome line were received by the script, not consumed: shown first.
    await screen.waitFor('MOTD: be-nice', 15_000);
    await screen.waitFor(/ESTABLISHED/);
    await typeLine(screen, 'hi');
    await screen.waitFor('you said hi', 10_000);
    expect(lines).toEqual(['alice', 'hi']);
    await typeLine(screen, '/quit');
    // Back on the normal screen: the script's next steps ran on the same connection.
    await screen.waitFor(/back from the screen/, 10_000);
    await screen.waitFor(/expect "done\\n"/, 10_000);
    expect(await screen.exited).toBe(0);
    expect(lines).toEqual(['alice', 'hi', 'after']);
  }, 60_000);
});
