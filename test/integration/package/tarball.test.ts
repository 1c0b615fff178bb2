import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Packed, packOnce, ROOT } from '../../helpers/packed-consumer.js';

/** What `npm pack` ships: the metadata a registry shows, and source maps that lead somewhere. */

const run = promisify(execFile);
let packed: Packed;
let shipped: Set<string>;
const temps: string[] = [];

beforeAll(async () => {
  packed = await packOnce();
  shipped = new Set(packed.files.map((f) => f.path));
}, 120_000);
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

describe('the tarball', () => {
  it('has the license, both builds, the sources and no tests', () => {
    for (const f of [
      'LICENSE',
      'README.md',
      'package.json',
      'bin/sockrepl.js',
      'bin/package.json',
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/src/index.d.ts.map',
      'dist/cjs/index.js',
      'dist/cjs/cli.js',
      'dist/cjs/compile-cache.js',
      'dist/cjs/index.d.ts',
      'dist/cjs/package.json',
      'src/index.ts',
      'schema/events.schema.json',
    ])
      expect(shipped, f).toContain(f);
    expect([...shipped].filter((f) => /^(test|bench|examples)\/|tsconfig/.test(f))).toEqual([]);
  });

  it('says what it is: license, repository, keywords, platforms, engines', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.license).toBe('MIT');
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    expect(pkg.repository.url).toMatch(/^git\+https:\/\//);
    expect(pkg.keywords).toEqual(expect.arrayContaining(['netcat', 'pwntools', 'socket']));
    expect(pkg.os).toEqual(['linux', 'darwin']);
    expect(pkg.engines.node).toMatch(/^>=20/);
    // Built when packed, not in every install of a user's project.
    expect(pkg.scripts.prepack).toMatch(/build/);
    expect(pkg.scripts.prepare).toBe('node scripts/prepare.mjs');
  });

  it('ships every file a source map points to (or the map carries the text)', () => {
    const missing: string[] = [];
    for (const file of shipped) {
      if (!file.endsWith('.map')) continue;
      const map = JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as {
        sources: string[];
        sourcesContent?: (string | null)[];
      };
      map.sources.forEach((source, i) => {
        const target = posix.normalize(posix.join(posix.dirname(file), source));
        if (!shipped.has(target) && typeof map.sourcesContent?.[i] !== 'string')
          missing.push(`${file} -> ${target}`);
      });
    }
    expect(missing).toEqual([]);
  });

  it('needs no build when installed, and says so when a checkout was not built', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sockrepl-unbuilt-'));
    temps.push(dir);
    // An installed package: prepare finds no tsconfig and does nothing.
    mkdirSync(join(dir, 'scripts'));
    copyFileSync(join(ROOT, 'scripts/prepare.mjs'), join(dir, 'scripts/prepare.mjs'));
    await run(process.execPath, [join(dir, 'scripts/prepare.mjs')], { cwd: dir });
    expect(existsSync(join(dir, 'dist'))).toBe(false);
    // A checkout nobody built: the launcher names the cause and the fix.
    mkdirSync(join(dir, 'bin'));
    copyFileSync(join(ROOT, 'bin/sockrepl.js'), join(dir, 'bin/sockrepl.js'));
    copyFileSync(join(ROOT, 'bin/package.json'), join(dir, 'bin/package.json'));
    copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
    const r = await run(process.execPath, [join(dir, 'bin/sockrepl.js'), '--version']).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(r).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^sockrepl: dist\/ is missing.*npm run build/),
    });
  });
});
