import type { CommandOutcome } from './command-outcome.js';

/**
 * A command of the prompt, `--json` and scripts (design section 3), as the interpreter's registry
 * keeps it: built-in, registered by whoever composes the session (/fault, /record), or a plugin's.
 */

/** What an argument position completes to. */
export type ArgKind = 'text' | 'hex' | 'file' | 'option' | 'encoding' | 'conn' | 'word' | 'none';

export interface CommandSpec {
  name: string;
  aliases?: readonly string[];
  usage: string;
  summary: string;
  /** Completion for the first argument; `words` lists fixed choices. */
  arg: ArgKind;
  words?: readonly string[];
  /**
   * What a script may give it, checked when the script is parsed: how many words, closed
   * choices for the first. Absent: any text (the rest of the line).
   */
  args?: { min: number; max?: number; choices?: readonly string[] };
  /** Registered by a plugin (listed apart in /help). */
  plugin?: string;
}

/** Runs the command with the text after its name; a user's mistake is a SockreplError. */
export type CommandRun = (
  rest: string,
  signal: AbortSignal | undefined,
) => Promise<Partial<CommandOutcome> | undefined> | Partial<CommandOutcome> | undefined;

export interface CommandEntry {
  spec: CommandSpec;
  run: CommandRun;
}
