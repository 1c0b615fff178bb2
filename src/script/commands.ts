import { nearMatches } from '../codec/near-match.js';
import type { CommandSpec } from '../session/command-spec.js';

/**
 * The words a script may use: its own statements, and the session's commands (design section 3,
 * the interpreter's registry: built-in, /fault, /record, and the loaded plugins'), which the
 * runner passes to the interpreter with their argument text.
 */

/** Words only scripts have, parsed into their own statements. `expect` is also a REPL command. */
export const SCRIPT_COMMANDS = [
  'connect',
  'listen',
  'spawn',
  'expect',
  'expect-any',
  'repeat',
  'sleep',
  'timeout',
  'set',
  'fail',
  'interactive',
] as const;

/** A session command by name or alias. */
export function findCommandSpec(commands: readonly CommandSpec[], name: string): CommandSpec | undefined {
  return commands.find((c) => c.name === name || c.aliases?.includes(name));
}

/** The closest known command word, for "did you mean". */
export function suggestCommand(word: string, commands: readonly CommandSpec[]): string | undefined {
  return nearMatches(word, [...SCRIPT_COMMANDS, ...commands.map((c) => c.name)], 1)[0];
}
