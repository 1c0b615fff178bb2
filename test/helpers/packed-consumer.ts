import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * A throwaway project that installed sockrepl the way a user does: from the tarball `npm pack`
 * makes, in a folder outside this repository. No network: instead of `npm install`, the tarball is
 * unpacked into the consumer's node_modules and each package the lock file says a production
 * install brings is linked from this repository's node_modules (so a dependency missing from
 * `dependencies` fails here as it would for a user), plus the tools a test names (jest, tsc).
 */

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

export interface PackedFile {
  path: string;
  size: number;
}

export interface Packed {
  tarball: string;
  files: PackedFile[];
  /** Unpacked size of the package itself, bytes. */
  unpackedSize: number;
}

let packing: Promise<Packed> | undefined;

/** Packs the built package once per test file (`npm pack` without scripts: dist/ is already built). */
export function packOnce(): Promise<Packed> {
  packing ??= (async () => {
    if (!existsSync(join(ROOT, 'dist/src/index.js')) || !existsSync(join(ROOT, 'dist/cjs/index.js')))
      throw new Error('dist/ is not built: run `npm run build` first');
    const dir = mkdtempSync(join(tmpdir(), 'sockrepl-pack-'));
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
      cwd: ROOT,
      maxBuffer: 64 * 1024 * 1024,
    });
    const [info] = JSON.parse(stdout) as {
      filename: string;
      files: PackedFile[];
      unpackedSize: number;
    }[];
    if (!info) throw new Error(`npm pack said nothing: ${stdout}`);
    return { tarball: join(dir, info.filename), files: info.files, unpackedSize: info.unpackedSize };
  })();
  return packing;
}

export interface ConsumerOptions {
  /** package.json of the consumer (its `type` decides how .js files load). */
  packageJson?: Record<string, unknown>;
  /** Development tools to link besides the production dependencies (`jest`, `typescript`). */
  tools?: readonly string[];
  /** Production packages to leave out, as a user who omitted optional ones would. */
  omit?: readonly string[];
}

/** Makes a consumer project with the packed sockrepl installed; returns its folder. */
export async function makeConsumer(options: ConsumerOptions = {}): Promise<string> {
  const { tarball } = await packOnce();
  const dir = mkdtempSync(join(tmpdir(), 'sockrepl-consumer-'));
  const modules = join(dir, 'node_modules');
  mkdirSync(modules);
  await run('tar', ['-xzf', tarball, '-C', dir]);
  renameSync(join(dir, 'package'), join(modules, 'sockrepl'));
  const omit = new Set(options.omit ?? []);
  for (const name of [...productionPackages(), ...(options.tools ?? [])]) {
    if (omit.has(name) || existsSync(join(modules, name))) continue;
    mkdirSync(dirname(join(modules, name)), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', name), join(modules, name), 'dir');
  }
  const pkg = { name: 'consumer', version: '1.0.0', private: true, ...options.packageJson };
  await import('node:fs/promises').then((fs) =>
    fs.writeFile(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`),
  );
  return dir;
}

/** Top-level packages a production install has, from package-lock.json (none marked dev). */
function productionPackages(): string[] {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; link?: boolean }>;
  };
  return Object.entries(lock.packages)
    .filter(([path, p]) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(path) && !p.dev)
    .map(([path]) => path.slice('node_modules/'.length))
    .filter((name) => existsSync(join(ROOT, 'node_modules', name)));
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command in the consumer; never throws on a non-zero exit (the test reads `code`). */
export async function runIn(dir: string, file: string, args: readonly string[]): Promise<Ran> {
  try {
    const { stdout, stderr } = await run(file, [...args], {
      cwd: dir,
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, NODE_OPTIONS: '', FORCE_COLOR: '0', CI: '1' },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string };
    return {
      code: typeof e.code === 'number' ? e.code : 1,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? String(err),
    };
  }
}

export function removeConsumer(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
