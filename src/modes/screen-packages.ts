import { createRequire } from 'node:module';
import { UsageError } from '../errors.js';

/**
 * ink and React draw the interactive screen and nothing else, so they are optional dependencies:
 * a project that only uses the library, pipe mode, --json or scripts may install sockrepl without
 * them (`npm install --omit=optional`). Asking for the screen then says what is missing before a
 * socket is opened, instead of failing halfway with a module-not-found stack trace.
 */
export function checkScreenPackages(): void {
  const require = createRequire(import.meta.url);
  const missing = ['ink', 'react'].filter((name) => {
    try {
      require.resolve(name);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return;
  throw new UsageError(
    `the interactive screen needs ${missing.join(' and ')}, optional dependencies that are not installed: ` +
      `run \`npm install ${missing.join(' ')}\` (pipe mode, --json, scripts and the library work without them)`,
  );
}

/**
 * Where loadInk() leaves ink's namespace. The CommonJS build (scripts/build-cjs.mjs) reads it
 * there for the screen's modules: ink is an ES module with top-level await, which require()
 * cannot load, so the bundle takes it with import() here, before those modules run.
 */
export const INK_KEY = Symbol.for('sockrepl.ink');

/** Loads ink; call before importing any module of the screen. */
export async function loadInk(): Promise<void> {
  const g = globalThis as { [INK_KEY]?: unknown };
  g[INK_KEY] ??= await import('ink');
}
