import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The one loader for code the user wrote: plugins (`--plugin`) and TypeScript scripts
 * (`sockrepl run x.ts`). Both run without a build step through jiti, and both may
 * `import ... from 'sockrepl'` from anywhere on disk, with no node_modules beside them: the
 * name is an alias for this running installation's own entry. The entry is plain ES module
 * JavaScript, which jiti imports natively, so the user's module shares this process's copy of
 * the package (`instanceof TimeoutError`, `definePlugin`'s symbols) instead of a second one.
 */

/** The package's entry as this installation has it: built JS, or the source when run from it. */
export function packageEntry(): string {
  const built = fileURLToPath(new URL('../index.js', import.meta.url));
  if (existsSync(built)) return built;
  return fileURLToPath(new URL('../index.ts', import.meta.url));
}

/** The module aliases every user module gets. */
export function packageAliases(): Record<string, string> {
  return { sockrepl: packageEntry() };
}

export type UserModuleLoader = Awaited<ReturnType<typeof createUserModuleLoader>>;

/**
 * A jiti instance resolving from `parentUrl` (a file URL; relative imports and packages are
 * found from its directory), with the `sockrepl` alias. jiti is imported on demand: pipe mode
 * without plugins or scripts never loads it.
 */
export async function createUserModuleLoader(parentUrl: string) {
  const { createJiti } = await import('jiti');
  return createJiti(parentUrl, { alias: packageAliases(), interopDefault: false });
}
