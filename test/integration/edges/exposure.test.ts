import { describe, expect, it } from 'vitest';
import { exposureWarning } from '../../../src/options/exposure.js';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { CliProcess, runCli } from '../../helpers/cli.js';
import { tcpServer } from '../../helpers/servers.js';

/** Issue 16 item 10: listen and proxy on the default 0.0.0.0 say so; 0 is "no timeout" for -w too. */
const cleanups = cleanupAfterEach();

function start(args: string[]): CliProcess {
  const p = new CliProcess(args);
  cleanups.push(async () => {
    if (p.child.exitCode === null) {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  });
  return p;
}

describe('listening on every interface', () => {
  it('names wildcards only', () => {
    expect(exposureWarning('0.0.0.0', { host: 'db', port: 5432 })).toMatch(/open relay to db:5432/);
    expect(exposureWarning('::')).toMatch(/-s ::1 keeps it local/);
    for (const a of ['127.0.0.1', '::1', '192.0.2.7']) expect(exposureWarning(a)).toBeUndefined();
  }, 60_000);

  it('proxy on the default address warns of an open relay, even without -v; -s 127.0.0.1 does not', async () => {
    const open = start(['proxy', '0', '127.0.0.1', '9']);
    await open.waitForStderr(
      /^sockrepl: warning: listening on every interface \(0\.0\.0\.0 and ::\): this proxy is an open relay to 127\.0\.0\.1:9 .*-s 127\.0\.0\.1 keeps it local$/m,
      20_000,
    );
    const local = start(['proxy', '0', '127.0.0.1', '9', '-s', '127.0.0.1', '-v']);
    Number((await local.waitForStderr(/Listening on \S+ (\d+)/, 30_000))[1]);
    await local.waitForStderr(/Forwarding each client/, 20_000);
    expect(local.stderr).not.toMatch(/warning/);
  }, 60_000);

  it('listen -s 127.0.0.1, as the warning advises, listens there only and does not warn', async () => {
    for (const args of [
      ['listen', '-v', '-s', '127.0.0.1', '0'],
      ['-l', '-v', '-s', '127.0.0.1', '0'],
    ]) {
      const p = start(args);
      await p.listeningPort();
      // The wildcard pair would print two lines and then the warning, all at once.
      p.child.kill('SIGTERM');
      await p.exited;
      expect(p.stderr).toMatch(/^Listening on 127\.0\.0\.1 \d+\n/);
      expect(p.stderr).not.toMatch(/Listening on (0\.0\.0\.0|::) |warning/);
    }
    const both = await runCli(['listen', '-s', '127.0.0.1', '::1', '0']);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe(
      "sockrepl: listen: two addresses to listen on, '::1' and -s '127.0.0.1'; give one\n",
    );
  }, 60_000);

  it('listen -v prints the warning right after the listening line', async () => {
    const p = start(['listen', '-v', '0']);
    await p.waitForStderr(
      /^Listening on 0\.0\.0\.0 \d+\nListening on :: \d+\nwarning: listening on every interface \(0\.0\.0\.0 and ::\)/,
      20_000,
    );
  }, 60_000);
});

describe('-w 0', () => {
  it('means no connect timeout (it used to time out at once)', async () => {
    const srv = await tcpServer((s) => s.end('hello\n'));
    cleanups.push(() => srv.close());
    const r = await runCli(['-w', '0', '127.0.0.1', String(srv.port)], '', 20_000);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe('hello\n');
  }, 60_000);
});
