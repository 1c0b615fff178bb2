import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { spawnScreen, tuiCommand, typeLine } from '../../helpers/pty.js';

// The launcher compiles the command line's bundle through a V8 code cache (src/cli/compile-cache.ts).
// Each test gives it a temporary directory of its own (TMPDIR), so what it writes there is seen.
const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

const uid = process.getuid?.() ?? 0;
const builtIn = 'enableCompileCache' in (await import('node:module')).Module;

function freshTmp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sockrepl-cc-'));
  temps.push(dir);
  return dir;
}

/** `sockrepl --help` with `env`: its output, and its exit code checked. */
async function help(env: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string }> {
  const r = await runCli(['--help'], '', 20_000, env);
  expect(r.code).toBe(0);
  return { stdout: r.stdout.toString(), stderr: r.stderr };
}

const cacheRoot = (tmp: string) => join(tmp, `sockrepl-compile-cache-${uid}`);
const cacheDir = (tmp: string) => join(cacheRoot(tmp), `${process.version}-${process.arch}`);
/** The cache files and their modification times. */
function cacheFiles(tmp: string): Map<string, number> {
  const dir = cacheDir(tmp);
  if (!existsSync(dir)) return new Map();
  return new Map(readdirSync(dir).map((f) => [f, statSync(join(dir, f)).mtimeMs]));
}

describe.skipIf(builtIn)('the V8 code cache of the command line (Node 20; Node 22 has its own)', () => {
  it('is written on the first run, read on the next, and changes nothing the user sees', async () => {
    const tmp = freshTmp();
    const plain = await help({ TMPDIR: tmp, NODE_DISABLE_COMPILE_CACHE: '1' });
    expect(existsSync(cacheRoot(tmp))).toBe(false);

    const first = await help({ TMPDIR: tmp });
    expect(first).toEqual(plain);
    const written = cacheFiles(tmp);
    expect([...written.keys()]).toContainEqual(expect.stringMatching(/^cli\.js-\d+-\d+\.v8$/));
    expect(statSync(cacheRoot(tmp)).mode & 0o777).toBe(0o700);

    // V8 took the cache: a rejected one would have been written again.
    expect(await help({ TMPDIR: tmp })).toEqual(plain);
    expect(cacheFiles(tmp)).toEqual(written);
  });

  it('a damaged cache file is set aside: the run is right and writes a good one', async () => {
    const tmp = freshTmp();
    const plain = await help({ TMPDIR: tmp });
    const cli = [...cacheFiles(tmp).keys()].find((f) => f.startsWith('cli.js-')) as string;
    writeFileSync(join(cacheDir(tmp), cli), Buffer.alloc(4096, 0x5a));
    expect(await help({ TMPDIR: tmp })).toEqual(plain);
    const mended = cacheFiles(tmp);
    expect(statSync(join(cacheDir(tmp), cli)).size).not.toBe(4096);
    expect(await help({ TMPDIR: tmp })).toEqual(plain);
    expect(cacheFiles(tmp)).toEqual(mended);
  });

  it('never reads a directory another user could write to, or one it does not own', async () => {
    for (const spoil of [
      (dir: string) => chmodSync(dir, 0o777),
      (dir: string) => (uid === 0 ? chownSync(dir, 65534, 65534) : chmodSync(dir, 0o755)),
    ]) {
      const tmp = freshTmp();
      mkdirSync(cacheRoot(tmp), { mode: 0o700 });
      spoil(cacheRoot(tmp));
      const { stdout } = await help({ TMPDIR: tmp });
      expect(stdout).toMatch(/^Usage: sockrepl/);
      expect(readdirSync(cacheRoot(tmp))).toEqual([]);
    }
  });

  it('NODE_DISABLE_COMPILE_CACHE turns it off', async () => {
    const tmp = freshTmp();
    await help({ TMPDIR: tmp, NODE_DISABLE_COMPILE_CACHE: '1' });
    expect(existsSync(cacheRoot(tmp))).toBe(false);
  });

  it('the screen (ink, taken with import()) opens from a cold and from a warm cache', async () => {
    const tmp = freshTmp();
    const server = net.createServer((s) => s.on('error', () => undefined));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = String((server.address() as net.AddressInfo).port);
    const env = { TMPDIR: tmp, XDG_STATE_HOME: tmp };
    try {
      for (const round of ['cold', 'warm']) {
        const screen = spawnScreen(tuiCommand(['connect', '127.0.0.1', port]), { env });
        try {
          await screen.waitFor(/ESTABLISHED/);
          await typeLine(screen, '/quit');
          expect(await screen.exited, round).toBe(0);
        } finally {
          screen.kill();
        }
        if (round === 'cold') {
          // The screen's chunk comes from the cache; the one that runs import('ink') never does.
          const files = [...cacheFiles(tmp).keys()];
          expect(files).toContainEqual(expect.stringMatching(/^mount-.*\.v8$/));
          expect(files.filter((f) => f.startsWith('screen-mode-'))).toEqual([]);
        }
      }
    } finally {
      server.close();
    }
  });
});
