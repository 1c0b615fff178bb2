import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { findProgram } from '../net/find-program.js';
import { addOptionFlagsOnUse } from './option-flags.js';
import { startSession } from './start-session.js';

/**
 * `sockrepl exec [--pty] [--] CMD [ARGS...]`: a local program as the connection (pwntools'
 * process()), in the screen, --json or pipe mode like any socket. Options go before the command;
 * everything from the command on is the program's own.
 */
export function registerExecCommand(program: Command): void {
  const cmd = program
    .command('exec')
    .description('a local program as the connection: its stdin is "out", its stdout (and stderr) "in"')
    .usage('[options] [--] <cmd> [args...]')
    .argument('<cmd>', 'the program (looked up on PATH)')
    .argument('[args...]', 'its arguments')
    // `sockrepl exec cat -n`: -n is cat's. Options of sockrepl come before the program.
    .passThroughOptions();
  addOptionFlagsOnUse(cmd, 'exec').action(async (name: string, args: string[], _opts, c: Command) => {
    const { commandOptions } = await import('./command-options.js');
    const { checkProgramOptions, programSpec } = await import('../modes/program-spec.js');
    const options = commandOptions(c, 'exec');
    checkProgramOptions(options, true, 'exec');
    try {
      findProgram(name);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    // The program's terminal is the size of ours when there is one; where its standard error
    // goes, when not given, depends on the mode (marked on the screen and in --json, ours in pipe mode).
    const spec = programSpec([name, ...args], options, undefined, Boolean(process.stdout.isTTY));
    process.exitCode = await startSession({ kind: 'exec', port: 0, options, program: spec });
  });
}
