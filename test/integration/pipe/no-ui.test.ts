import { spawn } from 'node:child_process';
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
  const lines = stderr.split('\n').filter((l) => l.startsWith('LOADED '));
  if (lines.length === 0) throw new Error(`no module trace; stderr: ${stderr}`);
  return lines.flatMap((line) => line.slice('LOADED '.length).split(' '));
}

describe('pipe mode stays light', () => {
  it('never loads ink or react', async () => {
    const srv = await tcpServer((s) => s.end('hi'));
    cleanups.push(() => srv.close());
    const loaded = await loadedModules(['--no-tui', '127.0.0.1', String(srv.port)]);
    expect(loaded.some((u) => u.includes('/modes/pipe-connect.js'))).toBe(true);
    expect(loaded.filter((u) => /node_modules\/(ink|react)\//.test(u))).toEqual([]);
  });

  it('--version loads neither the UI nor the codecs', async () => {
    const loaded = await loadedModules(['--version']);
    expect(loaded.filter((u) => /node_modules\/(ink|react|iconv-lite|koffi)\//.test(u))).toEqual([]);
  });
});
