/**
 * What `sockrepl run script.ts --var NAME=value` hands to a TypeScript script. Kept on globalThis
 * because the script imports its own copy of the package through the runtime loader.
 */
const VARS = Symbol.for('sockrepl.scriptVars');

type Holder = { [VARS]?: Readonly<Record<string, string>> };

/** The `--var NAME=value` pairs of `sockrepl run` (an empty object outside it). */
export function scriptVars(): Readonly<Record<string, string>> {
  return (globalThis as Holder)[VARS] ?? {};
}

export function setScriptVars(vars: Readonly<Record<string, string>>): void {
  (globalThis as Holder)[VARS] = Object.freeze({ ...vars });
}
