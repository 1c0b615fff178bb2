import { Command, CommanderError } from 'commander';
import { bestEffort } from '../best-effort.js';
import { EXIT, isSockreplError } from '../errors.js';
import { pluginLoadTimedOut } from '../plugin/load-timed-out.js';
import { VERSION } from '../version.js';
import { registerDecodeCommand } from './commands/decode.js';
import { registerPackCommand } from './commands/pack.js';
import { registerExecCommand } from './exec-command.js';
import { registerNetworkCommands } from './network-commands.js';
import { normalizeArgv } from './normalize-argv.js';
import { addDeferredFlags, subcommandTerm } from './option-flags.js';
import { registerPluginsCommand } from './plugins-command.js';
import { registerProxyCommand } from './proxy-command.js';
import { registerReplayCommand } from './replay-command.js';
import { registerRunCommand } from './run-command.js';

/** Builds the whole command tree. Each command file registers itself; this file only wires them. */
export function buildProgram(): Command {
  const program = new Command('sockrepl')
    .description('A programmable, netcat-style socket REPL: TCP/UDP, hex dumps, scripts, framing, faults.')
    .version(VERSION, '-V, --version')
    .enablePositionalOptions()
    .showSuggestionAfterError(true)
    .exitOverride()
    // Commander's own errors (unknown option, missing argument) read like every other one.
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'sockrepl: ')) })
    // A subcommand's flags are built only when it runs (see addOptionFlagsOnUse).
    .hook('preSubcommand', (_program, sub) => addDeferredFlags(sub))
    .configureHelp({ subcommandTerm });
  registerNetworkCommands(program);
  registerDecodeCommand(program);
  registerPackCommand(program);
  registerProxyCommand(program);
  registerExecCommand(program);
  registerPluginsCommand(program);
  registerRunCommand(program);
  registerReplayCommand(program);
  return program;
}

/** Runs the CLI and resolves with the exit code; never throws for an expected failure. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(normalizeArgv(argv), { from: 'user' });
    // Session commands end by setting process.exitCode (0, 1, or 3 for a failed expectation).
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    return reportError(err);
  }
}

/**
 * A plugin whose load timed out is still running in this process and may hold a timer or a
 * socket: the command is over, so those must not keep the process alive. The timer is unref'd:
 * when nothing else is left, the process ends by itself at once.
 */
function endDespiteLeftovers(): void {
  setTimeout(() => process.exit(), 1000).unref();
}

export function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // Commander already printed its message (or the help/version text).
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.ok;
    if (err.exitCode === 0) return EXIT.ok;
    return EXIT.usage;
  }
  if (isSockreplError(err)) {
    process.stderr.write(`sockrepl: ${err.message}\n`);
    if (process.env.SOCKREPL_DEBUG && err.cause instanceof Error)
      process.stderr.write(`${err.cause.stack}\n`);
    return err.exitCode;
  }
  process.stderr.write(
    `sockrepl: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  return EXIT.network;
}

/** Entry point for bin/sockrepl.js: sets the exit code once all output has drained. */
export function run(argv: string[]): void {
  // Messages are best-effort: a closed or broken standard error never ends the program nor
  // changes its exit code (a usage error stays 2), as with ncat.
  bestEffort(process.stderr);
  main(argv).then(
    (code) => {
      process.exitCode = code;
      if (pluginLoadTimedOut()) endDespiteLeftovers();
    },
    (err: unknown) => {
      process.exitCode = reportError(err);
    },
  );
}
