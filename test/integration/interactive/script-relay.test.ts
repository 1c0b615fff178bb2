// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${PORT} is the script language's own variable syntax.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { lineServer, scriptDir } from '../script/helpers.js';

/** A script's `interactive` off a terminal: stdin and stdout are relayed, then the script goes on. */

const dir = scriptDir();
afterAll(() => dir.cleanup());
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

const SCRIPT = `connect 127.0.0.1 \${PORT}
expect "login: "
send "alice\\n"
expect "welcome alice\\n"
interactive
expect eof
`;

async function server(lines: string[]) {
  const srv = await lineServer(
    (line) => {
      lines.push(line);
      if (line === 'alice') return 'welcome alice\nprompt> ';
      if (line === 'ls') return 'file1\nprompt> ';
      return undefined;
    },
    { greeting: 'banner\nlogin: ' },
  );
  close = () => srv.close();
  return srv.port;
}

describe('the script command interactive, off a terminal', () => {
  it('relays stdin to the connection and the connection to stdout, then runs the next step', async () => {
    const lines: string[] = [];
    const port = await server(lines);
    const file = dir.write('login.srs', SCRIPT);
    const r = await runCli(['run', file, '--var', `PORT=${port}`], 'ls\nexit\n', 20_000);
    const out = r.stdout.toString();
    expect(r.code, `${out}\n${r.stderr}`).toBe(0);
    expect(lines).toEqual(['alice', 'ls', 'exit']);
    // The bytes left over after the welcome line come first, then the reply, in the transcript's order.
    const relayed = out.indexOf('prompt> file1\nprompt> ');
    expect(relayed).toBeGreaterThan(out.indexOf('expect "welcome alice\\n"'));
    expect(out.indexOf('relayed stdin and stdout')).toBeGreaterThan(relayed);
    expect(out.indexOf('expect eof')).toBeGreaterThan(relayed);
  }, 30_000);

  it('names a connection that does not exist, and refuses --json', async () => {
    const port = await server([]);
    const bad = dir.write('bad.srs', 'connect 127.0.0.1 ${PORT}\ninteractive 99\n');
    const r = await runCli(['run', bad, '--var', `PORT=${port}`], '', 20_000);
    expect(r.code).toBe(2);
    expect(r.stderr.toString()).toMatch(/interactive: no connection '99' \(there are: \d+\)/);
    const json = await runCli(['run', '--json', bad, '--var', `PORT=${port}`], '', 20_000);
    expect(json.code).toBe(2);
    expect(json.stdout.toString()).toContain('--json output carries events only');
  }, 30_000);
});
