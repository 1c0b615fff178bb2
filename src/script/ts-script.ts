import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { EXIT, UsageError } from '../errors.js';
import { jsonLine } from '../json/json-event.js';
import { closeAllOpen } from '../modes/library.js';
import { createUserModuleLoader } from '../plugin/user-module.js';
import { setScriptVars } from './script-context.js';

/**
 * `sockrepl run script.ts`: runs a TypeScript (or JavaScript) script with no build step, through
 * the user-module loader (plugin/user-module.ts): `import ... from 'sockrepl'` resolves to this very
 * package, also when the script lives outside any project that installed it. A script may run at top level or export a
 * default function, which is called with `{ vars, file }` and awaited. Exit codes follow the
 * CLI's: 0 when it finishes, the error's own code for a sockrepl error (3 for a failed expect),
 * 3 for a failed assertion, 1 for anything else it throws. Whatever it left open is closed.
 */

export interface TsScriptOptions {
  vars: Readonly<Record<string, string>>;
  json: boolean;
  stdout?: Writable;
  stderr?: Writable;
}

export interface TsScriptContext {
  vars: Readonly<Record<string, string>>;
  file: string;
}

export const TS_SCRIPT_EXTENSIONS = /\.(?:[cm]?ts|[cm]?js|tsx)$/i;

export async function runTsScript(file: string, options: TsScriptOptions): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const path = resolve(file);
  const started = performance.now();
  const report = (code: number, error?: { code: string; message: string }) => {
    if (options.json) {
      const ms = Math.round(performance.now() - started);
      if (error) stdout.write(jsonLine({ type: 'error', ...error, exit: code }));
      stdout.write(jsonLine({ type: 'done', ok: code === 0, exit: code, ms }));
    } else if (error) stderr.write(`${error.message}\n`);
    return code;
  };
  if (!existsSync(path)) return report(EXIT.usage, usage(`run: cannot read ${file}: ENOENT`));
  setScriptVars(options.vars);
  const jiti = await createUserModuleLoader(pathToFileURL(path).href);
  let code: number = EXIT.ok;
  let error: { code: string; message: string } | undefined;
  try {
    const mod = (await jiti.import(path)) as { default?: unknown } | undefined;
    if (typeof mod?.default === 'function') {
      const context: TsScriptContext = { vars: options.vars, file };
      await (mod.default as (c: TsScriptContext) => unknown)(context);
    }
  } catch (err) {
    ({ code, error } = describeFailure(err, file));
  } finally {
    await closeAllOpen();
  }
  return report(code, error);
}

function usage(message: string): { code: string; message: string } {
  return { code: new UsageError(message).code, message: `sockrepl: ${message}` };
}

/**
 * An error the script threw, as an exit code and one message. Installed, the script shares this
 * copy of the package (plugin/user-module.ts); run from source (the tests), jiti compiles the
 * TypeScript entry into a second copy. Errors are recognised by shape, which works for both.
 */
export function describeFailure(
  err: unknown,
  file: string,
): { code: number; error: { code: string; message: string } } {
  const e = err as { exitCode?: unknown; code?: unknown; message?: unknown; name?: unknown; stack?: unknown };
  if (err instanceof Error && typeof e.exitCode === 'number' && [1, 2, 3].includes(e.exitCode)) {
    return { code: e.exitCode, error: { code: String(e.code), message: `${file}: ${err.message}` } };
  }
  if (err instanceof Error && (e.name === 'AssertionError' || e.code === 'ERR_ASSERTION')) {
    return { code: EXIT.expectFailed, error: { code: 'EASSERT', message: `${file}: ${err.message}` } };
  }
  if (
    err instanceof SyntaxError ||
    (err instanceof Error && /Transform|Parse error|Unexpected token/i.test(err.message))
  ) {
    return {
      code: EXIT.usage,
      error: { code: 'ESYNTAX', message: `${file}: ${err.message.split('\n')[0]}` },
    };
  }
  // The script's own bug: its stack is what its author needs.
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  return { code: EXIT.network, error: { code: 'ESCRIPT', message: `${file}: ${text}` } };
}
