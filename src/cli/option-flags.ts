import { type Command, Help, Option } from 'commander';
import { type CommandName, HELP_GROUPS, OPTION_ROWS, type OptionRow } from '../options/option-table.js';
import { UPSTREAM_ROWS, upstreamName } from '../options/upstream-rows.js';

/**
 * The command line's side of the option vocabulary: a commander flag per row, grouped in help as
 * design section 2 groups them (the values commander collected go to the one resolver in
 * command-options.ts). Every command takes every row so that a flag meant for another command
 * gets a message saying where it applies (not "unknown option"); help lists only the command's own.
 */

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `-p, --source-port <port>`. */
function flags(row: OptionRow, name = row.name, short: string | undefined = row.short): string {
  const value =
    row.takes === 'none' ? '' : row.takes === 'optional' ? ` [${row.value}]` : ` <${row.value ?? 'value'}>`;
  return `${short ? `-${short}, ` : ''}--${name}${value}`;
}

export function addOptionFlags(cmd: Command, command: CommandName): Command {
  for (const row of OPTION_ROWS) {
    // commander pairs `--no-tui` with `--tui` as one option; it is added with it.
    if (row.name === 'no-tui') continue;
    const option = new Option(flags(row), row.summary).helpGroup(HELP_GROUPS[row.group]);
    if (row.takes === 'list') option.argParser(collect);
    if (!row.commands.includes(command)) option.hideHelp();
    cmd.addOption(option);
    if (row.name === 'tui') {
      const no = new Option('--no-tui', 'never open the interactive screen').helpGroup(HELP_GROUPS.output);
      if (!row.commands.includes(command)) no.hideHelp();
      cmd.addOption(no);
    }
    for (const alias of row.aliases ?? []) cmd.addOption(new Option(flags(row, alias, '')).hideHelp());
  }
  if (command === 'proxy') {
    for (const row of UPSTREAM_ROWS) {
      const option = new Option(flags(row, upstreamName(row), ''), `upstream: ${row.summary}`);
      cmd.addOption(option.helpGroup('Upstream connections (proxy):'));
    }
  }
  return cmd;
}

const deferred = new WeakMap<Command, CommandName>();

/**
 * A subcommand's flags, added only when it is dispatched or its help is shown (addDeferredFlags):
 * every command takes every row, and building hundreds of flags for commands not being run was
 * most of the time it took to build the command tree.
 */
export function addOptionFlagsOnUse(cmd: Command, command: CommandName): Command {
  deferred.set(cmd, command);
  return cmd;
}

/** Adds the flags addOptionFlagsOnUse put off, once. */
export function addDeferredFlags(cmd: Command): void {
  const command = deferred.get(cmd);
  if (command === undefined) return;
  deferred.delete(cmd);
  addOptionFlags(cmd, command);
}

/** The program's list of commands names a subcommand whose flags are put off as having options. */
export function subcommandTerm(cmd: Command): string {
  const term = new Help().subcommandTerm(cmd);
  if (!deferred.has(cmd) || cmd.options.length > 0) return term;
  const head = cmd.name() + (cmd.aliases()[0] ? `|${cmd.aliases()[0]}` : '');
  return `${head} [options]${term.slice(head.length)}`;
}
