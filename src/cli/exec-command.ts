import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { checkProgramOptions, programSpec } from '../modes/program-spec.js';
import { startSession } from '../modes/run-session.js';
import { findProgram } from '../net/find-program.js';
import { addOptionFlags, commandOptions } from './option-flags.js';

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
  addOptionFlags(cmd, 'exec').action(async (name: string, args: string[], _opts, c: Command) => {
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
