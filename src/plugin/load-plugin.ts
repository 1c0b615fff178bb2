import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatDuration, parseDuration } from '../codec/units.js';
import { UsageError } from '../errors.js';
import { describeValue, firstLine, isThenable } from './describe-value.js';
import { markPluginLoadTimedOut } from './load-timed-out.js';
import type { Plugin } from './types.js';
import { createUserModuleLoader } from './user-module.js';
import { validatePlugin } from './validate.js';

/**
 * How long one plugin may take to load (import, then its factory) before the run stops with
 * exit 2. A plugin that awaits something that never comes would otherwise leave sockrepl idle
 * with nothing to do, or exiting 0 having done nothing once the event loop is empty.
 */
export const DEFAULT_LOAD_TIMEOUT_MS = 10_000;

/** `SOCKREPL_PLUGIN_TIMEOUT` (a duration: `30s`, `500ms`) overrides the default, e.g. for a slow disk. */
export function loadTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.SOCKREPL_PLUGIN_TIMEOUT;
  if (text === undefined || text.trim() === '') return DEFAULT_LOAD_TIMEOUT_MS;
  const ms = parseDuration(text, 'SOCKREPL_PLUGIN_TIMEOUT');
  if (ms < 1) throw new UsageError(`SOCKREPL_PLUGIN_TIMEOUT: '${text}' must be more than 0`);
  return ms;
}

export interface LoadOptions {
  /** Where relative paths and packages are resolved from; the working directory by default. */
  cwd?: string;
  /** Milliseconds the whole load may take; `loadTimeoutMs()` by default. */
  timeoutMs?: number;
}

/** Looks like a file rather than a package name: relative, absolute, or with a module extension. */
function isPathLike(spec: string): boolean {
  return /^(\.{1,2}[\\/]|[\\/]|[A-Za-z]:[\\/]|~)/.test(spec) || /\.(c|m)?[jt]sx?$/i.test(spec);
}

/**
 * Loads a plugin module the user named (`--plugin`): a path (`.ts` runs without a build step,
 * through jiti) or an installed package resolved from `cwd`. Wherever it lives, the plugin may
 * `import { definePlugin } from 'sockrepl'` and gets this running copy (user-module.ts). Takes the default export; a
 * function is called to make the plugin (the vite/rollup factory style), and a promise (from
 * the export or the factory) is awaited. Every failure, including a load that does not finish
 * within the timeout, is a one-line UsageError (exit 2) saying what is wrong and what was expected.
 */
export async function loadPlugin(pathOrPackage: string, options: LoadOptions = {}): Promise<Plugin> {
  const timeoutMs = options.timeoutMs ?? loadTimeoutMs();
  let timer: NodeJS.Timeout | undefined;
  // The timer keeps the process alive while a plugin awaits: otherwise an empty event loop would
  // end the run with exit 0 before the timeout could say anything.
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      markPluginLoadTimedOut();
      reject(
        new UsageError(
          `plugin '${pathOrPackage}': did not finish loading within ${formatDuration(timeoutMs)} (SOCKREPL_PLUGIN_TIMEOUT=30s waits longer)`,
        ),
      );
    }, timeoutMs);
  });
  try {
    return await Promise.race([load(pathOrPackage, options.cwd ?? process.cwd()), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function load(pathOrPackage: string, cwd: string): Promise<Plugin> {
  const spec = pathOrPackage.trim();
  const fail = (why: string, cause?: unknown): never => {
    throw new UsageError(`plugin '${pathOrPackage}': ${why}`, { cause });
  };
  if (spec === '') fail('the name is empty (give a path such as ./my-plugin.ts, or a package name)');
  const jiti = await createUserModuleLoader(pathToFileURL(join(cwd, '__sockrepl_plugin_loader__.js')).href);

  let id: string;
  if (isPathLike(spec)) {
    id = resolve(cwd, spec.startsWith('~') ? spec.replace(/^~/, process.env.HOME ?? '~') : spec);
    if (!existsSync(id)) fail(`no such file (${id})`);
    if (statSync(id).isDirectory()) {
      const entry = jiti.esmResolve(pathToFileURL(`${id}/`).href, { try: true });
      if (!entry) fail(`${id} is a directory without a package.json main or index file`);
    }
  } else {
    id = spec;
    if (!jiti.esmResolve(spec, { try: true }))
      fail(`not a file, and no package '${spec}' is installed for ${cwd} (write ./${spec} for a file)`);
  }

  let mod: unknown;
  try {
    mod = await jiti.import(id);
  } catch (err) {
    fail(`failed to load: ${firstLine(err).replace(/^Error: /, '')}`, err);
  }
  const exports = mod as Record<string, unknown> | undefined;
  if (!exports || !('default' in exports) || exports.default === undefined) {
    const named = exports ? Object.keys(exports).filter((k) => k !== '__esModule') : [];
    const hint = named.length ? ` (it exports ${named.map((n) => `'${n}'`).join(', ')})` : '';
    fail(`the module has no default export${hint}; write export default definePlugin({ name: ..., ... })`);
  }
  let value = exports!.default;
  if (isThenable(value))
    value = await settled(value, 'its default export is a promise, and it rejected', fail);
  if (typeof value === 'function') {
    const what = 'its default export is a function, and calling it';
    try {
      value = (value as () => unknown)();
    } catch (err) {
      fail(`${what} threw ${firstLine(err)}`, err);
    }
    if (isThenable(value)) value = await settled(value, `${what} returned a promise that rejected`, fail);
    if (value === undefined || value === null || typeof value !== 'object')
      fail(`${what} returned ${describeValue(value)}, not a plugin object`);
  }
  return validatePlugin(value, pathOrPackage);
}

async function settled(
  promise: PromiseLike<unknown>,
  what: string,
  fail: (why: string, cause?: unknown) => never,
): Promise<unknown> {
  try {
    return await promise;
  } catch (err) {
    return fail(`${what}: ${firstLine(err)}`, err);
  }
}
