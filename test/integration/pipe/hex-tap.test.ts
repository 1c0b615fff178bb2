import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { runCli } from '../../helpers/cli.js';
import { tcpServer } from '../../helpers/servers.js';

const cleanups = cleanupAfterEach();

describe('-x / --hex: direction-marked dumps beside untouched data', () => {
  it('dumps to standard error; standard output keeps the exact bytes', async () => {
    const reply = Buffer.from([0x00, 0xff, 0x41, 0x0a]);
    const srv = await tcpServer((s) => s.resume().on('end', () => s.end(reply)));
    cleanups.push(() => srv.close());
    const r = await runCli(['-N', '-x', '127.0.0.1', String(srv.port)], 'hi\n');
    expect(r.code).toBe(0);
    expect(r.stdout.equals(reply)).toBe(true);
    expect(r.stderr).toMatch(/^> \S+ conn=\d+ length=3\n00000000 {2}68 69 0a/m);
    expect(r.stderr).toMatch(/^< \S+ conn=\d+ length=4\n00000000 {2}00 ff 41 0a .*\|\.\.A\.\|/m);
  });

  it('shows a character split between two received chunks whole, in the chunk that completes it', async () => {
    const text = Buffer.from('hé llo 界ok');
    const srv = await tcpServer((s) => {
      s.write(text.subarray(0, 9));
      setTimeout(() => s.end(text.subarray(9)), 300);
    });
    cleanups.push(() => srv.close());
    const r = await runCli(['-x', '127.0.0.1', String(srv.port)]);
    expect(r.code).toBe(0);
    expect(r.stdout.equals(text)).toBe(true);
    expect(r.stderr).toMatch(
      /^< \S+ conn=\d+ length=9\n00000000 {2}68 c3 a9 20 6c 6c 6f 20 {2}e7 +\|hé {2}llo {2}\|$/m,
    );
    expect(r.stderr).toMatch(/^< \S+ conn=\d+ length=4\n00000000 {2}95 8c 6f 6b +\|界ok\|$/m);
  });

  it('--hex FILE writes the dump to that file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sockrepl-hex-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const srv = await tcpServer((s) => s.resume().on('end', () => s.end('ok')));
    cleanups.push(() => srv.close());
    const file = join(dir, 'traffic.txt');
    const r = await runCli(['-N', '--hex', file, '127.0.0.1', String(srv.port)], 'abc');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const dump = readFileSync(file, 'utf8');
    expect(dump).toMatch(/^> .*length=3\n/m);
    expect(dump).toMatch(/^< .*length=2\n/m);
  });
});
