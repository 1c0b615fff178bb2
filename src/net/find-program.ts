import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { NetError } from '../errors.js';

/**
 * Where a program named on a command line lives, as execvp(3) would find it: a name with a slash
 * is taken as a path, any other is looked up on PATH. Checked before spawning, so a typo is one
 * clear line and not a child that dies at once (node-pty reports a failed exec only as output).
 */
export function findProgram(
  name: string,
  env: Record<string, string | undefined> = process.env,
  cwd = process.cwd(),
): string {
  if (name === '') throw new NetError('exec: the program name is empty', 'ENOENT');
  if (name.includes('/')) {
    const path = isAbsolute(name) ? name : resolve(cwd, name);
    checkRunnable(name, path);
    return path;
  }
  for (const dir of (env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(delimiter)) {
    const path = join(dir === '' ? cwd : resolve(cwd, dir), name);
    if (runnable(path)) return path;
  }
  throw new NetError(`exec ${name}: ENOENT: no such program on PATH`, 'ENOENT');
}

function runnable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function checkRunnable(name: string, path: string): void {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw new NetError(`exec ${name}: ENOENT: no such file`, 'ENOENT');
  }
  if (!isFile) throw new NetError(`exec ${name}: EACCES: not a file`, 'EACCES');
  if (!runnable(path)) throw new NetError(`exec ${name}: EACCES: not executable (no x permission)`, 'EACCES');
}
