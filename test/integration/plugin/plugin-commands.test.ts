import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createInterpreter, createSession, startSession } from '../../../src/modes/open-session.js';
import { resolveOptionWords } from '../../../src/options/option-words.js';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { CliProcess } from '../../helpers/cli.js';
import { parseJsonEvents } from '../../helpers/json-events.js';
import { tcpServer } from '../../helpers/servers.js';

/** Plugin commands run from the one registry: at the prompt, in --json and in scripts. */

const PLUGIN = resolve(import.meta.dirname, '../../fixtures/plugins/greeter-plugin.ts');
const cleanups = cleanupAfterEach();
const dir = mkdtempSync(join(tmpdir(), 'sockrepl-plugcmd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A server that answers `HELLO x` with `WELCOME x`. */
async function greeterServer() {
  const received: string[] = [];
  const srv = await tcpServer((s: net.Socket) => {
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString();
      received.push(d.toString());
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const m = /^HELLO (\w+)/.exec(buf.slice(0, nl));
        if (m) s.write(`WELCOME ${m[1]}\n`);
        buf = buf.slice(nl + 1);
      }
    });
  });
  cleanups.push(() => srv.close());
  return { ...srv, received };
}

describe('plugin commands', () => {
  it('run at the prompt with the command context; a buggy one is disabled and the session goes on', async () => {
    const srv = await greeterServer();
    const options = { ...resolveOptionWords([], 'connect'), plugin: [PLUGIN] };
    const spec = { kind: 'connect' as const, host: '127.0.0.1', port: srv.port, options };
    const session = await createSession(spec, { kernelRefreshMs: 0 });
    cleanups.push(() => session.close());
    await startSession(session, spec);
    const run = createInterpreter(session);

    const greet = await run.execute('/greet bob');
    expect(greet).toMatchObject({ command: 'greet', ok: true });
    expect(greet.lines).toEqual([
      expect.stringMatching(/^welcomed as bob on connection \d+$/),
      'encoding utf8, be',
    ]);
    expect((await run.execute('/help')).lines).toContainEqual(
      expect.stringMatching(/^\/greet <name> .*\[greeter\]$/),
    );
    expect((await run.execute('/greeter/send')).lines).toEqual(['plugin send']);

    const nope = await run.execute('/nope');
    expect(nope).toMatchObject({ ok: false, lines: ['nope: give me something'], error: { exitCode: 2 } });

    const boom = await run.execute('/boom');
    expect(boom.ok).toBe(false);
    expect(boom.lines[0]).toMatch(
      /^plugin 'greeter': command 'boom' threw SyntaxError: .*; plugin 'greeter' is disabled$/,
    );
    expect((await run.execute('/greet amy')).lines[0]).toMatch(/^\/greet: plugin 'greeter' is disabled/);
    expect((await run.execute('/send still here')).ok).toBe(true);
    await expect.poll(() => srv.received.join('')).toContain('still here');
  });

  it('run from --json, with their lines in the result event', async () => {
    const srv = await greeterServer();
    const p = new CliProcess(['--json', '--plugin', PLUGIN, '127.0.0.1', String(srv.port)]);
    cleanups.push(() => p.kill());
    p.child.stdin.write('/greet jo\n/quit\n');
    const r = await p.exited;
    expect(r.code).toBe(0);
    const events = parseJsonEvents<Record<string, unknown>>(r.stdout);
    const result = events.find((e) => e.command === 'greet');
    expect(result).toMatchObject({
      ok: true,
      lines: [expect.stringMatching(/^welcomed as jo/), 'encoding utf8, be'],
    });
  });

  it('run from scripts, checked by the parser like built-in commands', async () => {
    const srv = await greeterServer();
    const script = join(dir, 'greet.srs');
    writeFileSync(script, `connect 127.0.0.1 ${srv.port}\ngreet zoe\nsend "bye\\n"\n`);
    const ok = await new CliProcess(['run', script, '--plugin', PLUGIN]).exited;
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout.toString()).toMatch(/welcomed as zoe/);
    // Without the plugin, the word is unknown before anything connects.
    const unknown = await new CliProcess(['run', script]).exited;
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/greet.srs:2:1: unknown command 'greet'/);
  });
});
