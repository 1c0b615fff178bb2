import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { parseVarAssignment } from '../script/variables.js';
import { addOptionFlagsOnUse } from './option-flags.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * `sockrepl run <script> [--var NAME=value ...] [--json] [options]`: a `.srs` script (send/expect
 * steps, design section 4) or a TypeScript script using the library API. The script code is
 * loaded only when this command runs.
 */
export function registerRunCommand(program: Command): void {
  addOptionFlagsOnUse(
    program
      .command('run')
      .description(
        'run a send/expect script (.srs) or a TypeScript script; exit 0 passed, 1 network, 2 usage, 3 expect failed',
      )
      .argument('<script>', 'a .srs script, or a .ts/.js file using the sockrepl library API')
      .option('--var <NAME=value>', 'set a script variable (repeatable)', collect),
    'run',
  ).action(async (file: string, _opts, cmd: Command) => {
    const raw = cmd.opts();
    const vars = Object.fromEntries(((raw.var as string[] | undefined) ?? []).map(parseVarAssignment));
    const { commandOptions } = await import('./command-options.js');
    const options = commandOptions(cmd, 'run');
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
      process.exitCode = await runTsScript(file, { vars, json: options.json });
      return;
    }
    const { runScriptFile } = await import('../script/run-script.js');
    process.exitCode = await runScriptFile(file, { vars, json: options.json, cli: options });
  });
}
