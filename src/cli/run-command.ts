import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { parseVarAssignment } from '../script/variables.js';
import { addConnectionOptions, resolveConnectionOptions } from './connection-options.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Options of connect/listen that mean nothing for a script run. */
const NOT_FOR_RUN: Record<string, string> = {
  record: '--record',
  pcap: '--pcap',
  hex: '-x/--hex',
  tui: '--tui',
  halfClose: '-N/--half-close',
  quitAfter: '-q/--quit-after',
  sendOnly: '--send-only',
  recvOnly: '--recv-only',
};

/**
 * `sockrepl run <script> [--var NAME=value ...] [--json] [options]`: a `.srs` script (send/expect
 * steps, design section 4) or a TypeScript script using the library API. The script code is
 * loaded only when this command runs.
 */
export function registerRunCommand(program: Command): void {
  addConnectionOptions(
    program
      .command('run')
      .description(
        'run a send/expect script (.srs) or a TypeScript script; exit 0 passed, 1 network, 2 usage, 3 expect failed',
      )
      .argument('<script>', 'a .srs script, or a .ts/.js file using the sockrepl library API')
      .option('--var <NAME=value>', 'set a script variable (repeatable)', collect),
  ).action(async (file: string, _opts, cmd: Command) => {
    const raw = cmd.opts();
    for (const [key, flag] of Object.entries(NOT_FOR_RUN)) {
      if (raw[key] !== undefined && raw[key] !== false && cmd.getOptionValueSource(key) !== 'default')
        throw new UsageError(`${flag} does not apply to run`);
    }
    const vars = Object.fromEntries(((raw.var as string[] | undefined) ?? []).map(parseVarAssignment));
    const { TS_SCRIPT_EXTENSIONS, runTsScript } = await import('../script/ts-script.js');
    if (TS_SCRIPT_EXTENSIONS.test(file)) {
      const given = Object.keys(raw).filter(
        (k) =>
          k !== 'var' && k !== 'json' && raw[k] !== undefined && cmd.getOptionValueSource(k) !== 'default',
      );
      if (given.length > 0) {
        throw new UsageError(
          `connection options (${given.join(', ')}) apply to .srs scripts; a TypeScript script passes them to connect()`,
        );
      }
      process.exitCode = await runTsScript(file, { vars, json: Boolean(raw.json) });
      return;
    }
    const cli = resolveConnectionOptions(raw);
    const { runScriptFile } = await import('../script/run-script.js');
    process.exitCode = await runScriptFile(file, { vars, json: cli.json, cli });
  });
}
