import {
  closeSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { Module } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import * as vm from 'node:vm';

/**
 * A V8 code cache for the command line's CommonJS bundle, so a run starts from compiled code
 * instead of parsing a few hundred kilobytes of JavaScript: the difference between a one-shot
 * `sockrepl -N` taking about 1.5x and about 1.25x the time of a bare node:net client
 * (bench/startup.mjs).
 *
 * Node 22.1 and later do this themselves (module.enableCompileCache), for ES modules too; that is
 * used when there. On Node 20 the bundle's files are compiled here through vm.Script with the cache
 * V8 made on an earlier run. The cache lives where Node 22 puts its own (the temporary directory),
 * in a directory private to this user: a cache file is code this process runs, so a directory
 * another user could write to is never read. NODE_DISABLE_COMPILE_CACHE=1 turns it off, as it
 * does Node's.
 */
export function enableCompileCache(bundleDir: string): void {
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return;
  const builtIn = (Module as { enableCompileCache?: () => unknown }).enableCompileCache;
  if (builtIn) {
    builtIn();
    return;
  }
  const uid = process.getuid?.();
  if (uid === undefined) return;
  const dir = privateDirectory(join(tmpdir(), `sockrepl-compile-cache-${uid}`), uid);
  if (dir === undefined) return;
  const cacheDir = join(dir, `${process.version}-${process.arch}`);

  const fresh: Array<{ file: string; script: vm.Script }> = [];
  const prefix = bundleDir.endsWith('/') ? bundleDir : `${bundleDir}/`;
  type Compile = (this: Module, content: string, filename: string) => unknown;
  const proto = Module.prototype as unknown as { _compile: Compile };
  const compile = proto._compile;
  proto._compile = function (this: Module, content: string, filename: string) {
    if (!filename.startsWith(prefix) || content.startsWith(NO_CODE_CACHE))
      return compile.call(this, content, filename);
    // The name says which build it is for: a rebuilt file has another size or time.
    const stat = statSync(filename);
    const file = join(cacheDir, `${basename(filename)}-${stat.size}-${Math.trunc(stat.mtimeMs)}.v8`);
    const cachedData = readIfThere(file);
    const script = new vm.Script(Module.wrap(content), { filename, cachedData });
    if (cachedData === undefined || script.cachedDataRejected) fresh.push({ file, script });
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    const require = Module.createRequire(filename);
    return wrapper.call(this.exports, this.exports, require, this, filename, dirname(filename));
  };
  // At the end, V8 includes the functions this run compiled lazily: the next run finds them too.
  process.once('exit', () => {
    for (const { file, script } of fresh) saveQuietly(file, script.createCachedData());
  });
}

/**
 * The first line of a chunk that runs import() (scripts/build-cjs.mjs writes it). Code from a
 * cache cannot run import() on Node 20 (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING, whatever
 * importModuleDynamically says), so such a chunk (the one that loads ink) is compiled the
 * ordinary way.
 */
const NO_CODE_CACHE = '// sockrepl: runs import(), so compiled without the code cache';

/** `dir`, created if missing, when it is a directory only `uid` can use; else undefined. */
function privateDirectory(dir: string, uid: number): string | undefined {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return undefined;
  }
  try {
    const st = lstatSync(dir);
    return st.isDirectory() && st.uid === uid && (st.mode & 0o077) === 0 ? dir : undefined;
  } catch {
    return undefined;
  }
}

function readIfThere(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Writes whole or not at all (a rename), so a run beside this one never reads half a cache. */
function saveQuietly(file: string, data: Buffer): void {
  const part = `${file}.${process.pid}.part`;
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const fd = openSync(part, 'w', 0o600);
    try {
      writeSync(fd, data);
    } finally {
      closeSync(fd);
    }
    renameSync(part, file);
  } catch {
    // A cache is an optimisation: a full disk or a read-only temporary directory costs speed only.
    rmSync(part, { force: true });
  }
}
