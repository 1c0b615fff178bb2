import { nearMatches } from '../codec/near-match.js';

/**
 * The command words a script may use. The REPL commands (design section 3) are passed to the
 * interpreter with their argument text; the parser only checks what the design fixes (how many
 * arguments, closed choices), so that such mistakes are found before anything connects.
 */

export interface ReplCommandSpec {
  name: string;
  minArgs: number;
  /** Undefined: any number (the rest of the line is one text). */
  maxArgs?: number;
  /** Closed choices for the first argument. */
  choices?: readonly string[];
  usage: string;
}

const spec = (s: ReplCommandSpec) => s;

export const REPL_COMMANDS = [
  spec({ name: 'send', minArgs: 1, usage: 'send <text>' }),
  spec({ name: 'hex', minArgs: 1, usage: 'hex <hex bytes>' }),
  spec({ name: 'pack', minArgs: 1, usage: 'pack <fmt> <values...>' }),
  spec({ name: 'file', minArgs: 1, maxArgs: 1, usage: 'file <path>' }),
  spec({ name: 'close', minArgs: 0, maxArgs: 1, usage: 'close' }),
  spec({
    name: 'shutdown',
    minArgs: 0,
    maxArgs: 1,
    choices: ['read', 'write'],
    usage: 'shutdown [read|write]',
  }),
  spec({ name: 'reset', minArgs: 0, maxArgs: 1, usage: 'reset' }),
  spec({ name: 'opt', minArgs: 2, maxArgs: 2, usage: 'opt <name> <value>' }),
  spec({ name: 'info', minArgs: 0, maxArgs: 1, usage: 'info' }),
  spec({ name: 'use', minArgs: 1, maxArgs: 1, usage: 'use <conn>' }),
  spec({ name: 'all', minArgs: 0, maxArgs: 0, usage: 'all' }),
  spec({ name: 'enc', minArgs: 1, maxArgs: 1, usage: 'enc <name>' }),
  spec({ name: 'endian', minArgs: 1, maxArgs: 1, choices: ['le', 'be'], usage: 'endian <le|be>' }),
  spec({ name: 'eol', minArgs: 1, maxArgs: 1, choices: ['lf', 'crlf', 'none'], usage: 'eol <lf|crlf|none>' }),
  spec({ name: 'frame', minArgs: 1, usage: 'frame <spec>' }),
  spec({ name: 'fault', minArgs: 1, usage: 'fault <spec> | fault clear' }),
  spec({ name: 'inspect', minArgs: 0, maxArgs: 2, usage: 'inspect [offset] [fmt]' }),
  spec({
    name: 'view',
    minArgs: 1,
    maxArgs: 1,
    choices: ['hex', 'text', 'both'],
    usage: 'view <hex|text|both>',
  }),
  spec({ name: 'record', minArgs: 1, maxArgs: 1, usage: 'record <file> | record stop' }),
  spec({ name: 'save', minArgs: 1, maxArgs: 1, usage: 'save <file>' }),
  spec({ name: 'clear', minArgs: 0, maxArgs: 0, usage: 'clear' }),
  spec({ name: 'help', minArgs: 0, maxArgs: 1, usage: 'help [command]' }),
  spec({ name: 'quit', minArgs: 0, maxArgs: 0, usage: 'quit' }),
] as const satisfies readonly ReplCommandSpec[];

/** Words only scripts have, parsed into their own statements. `expect` is also a REPL command. */
export const SCRIPT_COMMANDS = [
  'connect',
  'listen',
  'expect',
  'expect-any',
  'repeat',
  'sleep',
  'timeout',
  'set',
  'fail',
] as const;

export function findReplCommand(name: string): ReplCommandSpec | undefined {
  return REPL_COMMANDS.find((c) => c.name === name);
}

/** The closest known command word, for "did you mean". */
export function suggestCommand(word: string, extra: Iterable<string> = []): string | undefined {
  return nearMatches(word, [...SCRIPT_COMMANDS, ...REPL_COMMANDS.map((c) => c.name), ...extra], 1)[0];
}
