import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { CliProcess, runCli } from '../../helpers/cli.js';
import { parseJsonEvents } from '../../helpers/json-events.js';

/**
 * A script's `spawn`: the same send/expect steps drive a local program over its stdio and, through
 * `connect`, the same program served on a socket (`listen -e`): a local binary and a remote
 * service are tested identically.
 */

const cleanups = cleanupAfterEach();

const LOGIN = `printf 'login: '
read user
printf 'password: '
read pw
if [ "$pw" = "s3cret" ]; then echo "OK welcome $user"; else echo "FAIL"; fi
`;

const STEPS = `expect "login: " 5s
send "alice\\n"
expect "password: " 5s
send "\${PW}\\n"
expect /OK welcome (\\w+)/ 5s or fail "login refused"
expect eof 5s
`;

function files(): { dir: string; write(name: string, text: string): string } {
  const dir = mkdtempSync(join(tmpdir(), 'sockrepl-spawn-'));
  return {
    dir,
    write: (name, text) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
  };
}

describe('script spawn', () => {
  it('drives the same login through spawn (stdio) and connect (the program served by listen -e)', async () => {
    const f = files();
    const server = f.write('login.sh', LOGIN);
    const local = f.write('local.srs', `spawn sh ${server}\n${STEPS}`);
    const remote = f.write('remote.srs', `connect 127.0.0.1 \${PORT}\n${STEPS}`);

    const viaSpawn = await runCli(['run', local, '--var', 'PW=s3cret']);
    expect({ code: viaSpawn.code, stderr: viaSpawn.stderr }).toEqual({ code: 0, stderr: '' });
    expect(viaSpawn.stdout.toString()).toMatch(/spawn sh \S*login\.sh .*started sh \S+login\.sh \(pid \d+\)/);
    // The program's exit line comes when the exit does: after `expect eof` the script may end first.
    expect(viaSpawn.stdout.toString()).not.toMatch(/pid \d+ exited with code [1-9]/);

    const listener = new CliProcess(['listen', '-v', '-k', '127.0.0.1', '0', '-e', `sh ${server}`]);
    cleanups.push(() => listener.kill());
    const port = await listener.listeningPort();
    const viaConnect = await runCli(['run', remote, '--var', `PORT=${port}`, '--var', 'PW=s3cret']);
    expect({ code: viaConnect.code, stderr: viaConnect.stderr }).toEqual({ code: 0, stderr: '' });

    // The same failure either way: exit 3 with the script's message.
    const wrong = await runCli(['run', local, '--var', 'PW=nope']);
    expect(wrong.code).toBe(3);
    expect(wrong.stdout.toString() + wrong.stderr).toMatch(/login refused/);
    const wrongRemote = await runCli(['run', remote, '--var', `PORT=${port}`, '--var', 'PW=nope']);
    expect(wrongRemote.code).toBe(3);
  });

  it('spawn pty gives the program a terminal; --json reports its exit', async () => {
    const f = files();
    const script = f.write(
      'tty.srs',
      'spawn pty pty-size=100x30 sh -c "tty; stty size; read x; exit 4"\nexpect /\\/dev\\/pts\\/\\d+/ 5s\nexpect "30 100" 5s\nsend "go\\r"\nexpect eof 5s\n',
    );
    const r = await runCli(['run', '--json', script]);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toMatch(/"type":"exit".*"code":4/);
    expect(parseJsonEvents(r.stdout).find((e) => e.type === 'exit')).toMatchObject({ code: 4 });
  });

  it('its mistakes are syntax errors at their line (exit 2) or one-line step errors (exit 1)', async () => {
    const f = files();
    const bad = await runCli(['run', f.write('bad.srs', 'spawn pty-size=80x24 cat\n')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.srs:1:\d+: spawn: pty-size needs pty too/);
    const none = await runCli(['run', f.write('none.srs', 'spawn\n')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/spawn: which program\?/);
    const missing = await runCli(['run', f.write('missing.srs', 'spawn no-such-program-here\n')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr + missing.stdout.toString()).toMatch(
      /exec no-such-program-here: ENOENT: no such program on PATH/,
    );
  });
});
