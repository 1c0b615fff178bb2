import { afterAll, describe, expect, it } from 'vitest';
import { tcpServer } from '../../helpers/servers.js';
import { run, scriptDir } from './helpers.js';

/** Scripts written to hurt: deep nesting, catastrophic regexes. Clear errors, never a hang or a crash. */
const dir = scriptDir();
afterAll(() => dir.cleanup());

describe('adversarial scripts', () => {
  it.each([
    ['2,000 nested repeat blocks', 'repeat 1 {\n'.repeat(2000)],
    ['3,000 nested expect-any', 'expect-any { "a" -> '.repeat(3000)],
    ['5,000 nested ${X:-', `send "\${X:-${'${X:-'.repeat(5000)}"\n`],
  ])('%s: a syntax error (exit 2), no stack trace', async (_name, text) => {
    const r = await run([dir.write('deep.srs', text)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/deep\.srs:\d+:\d+: .*nested more than 100 deep/);
    expect(r.stderr).not.toMatch(/RangeError|^\s+at /m);
  });

  it('a catastrophic regex times out as the script said (exit 3), the process never stalls', async () => {
    const server = await tcpServer((s) => s.end(`${'a'.repeat(40)}!\n`));
    try {
      const script = dir.write('redos.srs', `connect 127.0.0.1 ${server.port}\nexpect /^(a+)+$/ 1s\n`);
      const r = await run([script], 60_000);
      expect(r.code).toBe(3);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    } finally {
      await server.close();
    }
  }, 90_000);

  it('one the linear engine cannot run is stopped and named (exit 2)', async () => {
    const server = await tcpServer((s) => s.write(`${'a'.repeat(40)}!\n`));
    try {
      const script = dir.write('redos-i.srs', `connect 127.0.0.1 ${server.port}\nexpect /^(a+)+$/i 30s\n`);
      const r = await run([script], 60_000);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/regex \/\^\(a\+\)\+\$\/i ran longer than 5s .* was stopped/);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    } finally {
      await server.close();
    }
  }, 90_000);
});
