import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { BIN } from '../../helpers/cli.js';
import { tcpServer } from '../../helpers/servers.js';

const TRACE = fileURLToPath(new URL('../../fixtures/trace-imports.mjs', import.meta.url));
const cleanups = cleanupAfterEach();

/** Runs the CLI with the import tracer (asynchronously: the test's own server must keep serving). */
async function loadedModules(args: string[]): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', TRACE, BIN, ...args], {
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  child.stdin.end();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d;
  });
  await new Promise((resolve) => child.on('close', resolve));
  // Every thread reports its own modules (pipe mode may start a splice worker).
  const lines = stderr.split('\n').filter((l) => /^(LOADED|REQUIRED) /.test(l));
  if (lines.length === 0) throw new Error(`no module trace; stderr: ${stderr}`);
  return lines.flatMap((line) => line.slice(line.indexOf(' ') + 1).split(' '));
}

describe('pipe mode stays light', () => {
  it('never loads ink or react', async () => {
    const srv = await tcpServer((s) => s.end('hi'));
    cleanups.push(() => srv.close());
    const loaded = await loadedModules(['--no-tui', '127.0.0.1', String(srv.port)]);
    expect(loaded.some((u) => u.includes('/modes/pipe-connect.'))).toBe(true);
    expect(loaded.filter((u) => /node_modules\/(ink|react)\//.test(u))).toEqual([]);
  });

  it('--version loads neither the UI nor the codecs nor the command tree', async () => {
    const loaded = await loadedModules(['--version']);
    expect(loaded.filter((u) => /node_modules\/(ink|react|iconv-lite|koffi|commander)\//.test(u))).toEqual(
      [],
    );
    expect(loaded.filter((u) => u.includes('/cli/'))).toEqual([]);
  });

  it('help loads neither the option resolver nor any mode', async () => {
    for (const args of [['--help'], ['listen', '--help'], ['help', 'proxy']]) {
      const loaded = await loadedModules(args);
      expect(loaded.some((u) => u.includes('/cli/main.'))).toBe(true);
      expect(loaded.filter((u) => /\/(modes|session)\/|resolve-options\./.test(u))).toEqual([]);
    }
  });
});

describe('--version', () => {
  it('prints the version as commander would, from the launcher', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
    for (const flag of ['--version', '-V']) {
      const r = spawnSync(process.execPath, [BIN, flag], { encoding: 'utf8' });
      expect([r.status, r.stdout, r.stderr]).toEqual([0, `${version}\n`, '']);
    }
    // With anything else on the line, commander reads it, and answers the same.
    const r = spawnSync(process.execPath, [BIN, '--version', '-v'], { encoding: 'utf8' });
    expect([r.status, r.stdout]).toEqual([0, `${version}\n`]);
  });
});
