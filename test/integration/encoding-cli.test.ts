import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { parseJsonEvents } from '../helpers/json-events.js';

/** `-E` as a user gives it on the command line: every mode refuses what is no character encoding. */

const refusal = (name: string) =>
  `sockrepl: ${name} is not a character encoding; pick one for text (utf8, latin1, gbk...)\n`;

describe('-E with an encoding that is no character encoding', () => {
  it('is a usage error (exit 2) before connecting, in --json, pipe (-x), run and pack', async () => {
    // Port 1 on loopback: nothing listens there, so reaching the connect would say ECONNREFUSED.
    const json = await runCli(['--json', '-E', 'hex', '127.0.0.1', '1']);
    expect({ code: json.code, stderr: json.stderr }).toEqual({ code: 2, stderr: refusal('hex') });
    expect(parseJsonEvents(json.stdout)).toEqual([
      expect.objectContaining({ type: 'error', code: 'EUSAGE' }),
    ]);
    const pipe = await runCli(['-x', '-E', 'base64', '127.0.0.1', '1']);
    expect({ code: pipe.code, stderr: pipe.stderr }).toEqual({ code: 2, stderr: refusal('base64') });
    const script = join(mkdtempSync(join(tmpdir(), 'sockrepl-')), 'enc.srs');
    writeFileSync(script, 'connect 127.0.0.1 1\nsend "abc"\n');
    const run = await runCli(['run', '-E', 'HEX', script]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^sockrepl: hex is not a character encoding/i);
    const pack = await runCli(['pack', '-e', 'hex', '5s', 'abc']);
    expect(pack.code).toBe(2);
    expect(pack.stderr).toBe(
      'sockrepl: pack: hex is not a character encoding; pick one for text (utf8, latin1, gbk...)\n',
    );
  });
});
