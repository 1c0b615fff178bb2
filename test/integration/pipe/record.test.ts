import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { runCli } from '../../helpers/cli.js';
import { tcpServer } from '../../helpers/servers.js';

const cleanups = cleanupAfterEach();

describe('--record in pipe mode', () => {
  it('writes a script that `sockrepl run` replays against the same server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sockrepl-record-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    // A tiny line server: greets, answers each line, closes after QUIT.
    const srv = await tcpServer((s) => {
      s.write('HELLO\n');
      s.on('data', (d: Buffer) => {
        for (const line of d.toString().split('\n').filter(Boolean)) {
          if (line === 'QUIT') s.end('BYE\n');
          else s.write(`OK ${line}\n`);
        }
      });
    });
    cleanups.push(() => srv.close());
    const file = join(dir, 'session.srs');
    const rec = await runCli(['-N', '--record', file, '127.0.0.1', String(srv.port)], 'LOGIN alice\nQUIT\n');
    expect(rec.code).toBe(0);
    expect(rec.stdout.toString()).toBe('HELLO\nOK LOGIN alice\nBYE\n');
    const script = readFileSync(file, 'utf8');
    expect(script).toMatch(/^connect 127\.0\.0\.1 \d+/m);
    expect(script).toMatch(/^expect "HELLO\\n"/m);
    const replay = await runCli(['run', file]);
    expect(replay.stderr).toBe('');
    expect(replay.code).toBe(0);
  });
});
