import { type Command, Option } from 'commander';
import type { ConnectionOptions, UpstreamOptions } from '../options/connection-options.js';
import { type CommandName, HELP_GROUPS, OPTION_ROWS, type OptionRow } from '../options/option-table.js';
import { type GivenOption, resolveOptions } from '../options/resolve-options.js';
import { resolveUpstreamOptions, UPSTREAM_ROWS, upstreamName } from '../options/upstream-options.js';

/**
 * The command line's side of the option vocabulary: a commander flag per row, grouped in help as
 * design section 2 groups them, and the values commander collected turned back into rows for the
 * one resolver. Every command takes every row so that a flag meant for another command gets a
 * message saying where it applies (not "unknown option"); help lists only the command's own.
 */

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `-p, --source-port <port>`. */
function flags(row: OptionRow, name = row.name, short: string | undefined = row.short): string {
  const value =
    row.takes === 'none' ? '' : row.takes === 'optional' ? ` [${row.value}]` : ` <${row.value ?? 'value'}>`;
  return `${short ? `-${short}, ` : ''}--${name}${value}`;
}

/** Why a row given to a command that does not take it is refused, beyond "applies to ...". */
const REFUSALS: Partial<Record<CommandName, Record<string, string>>> = {
  proxy: {
    'source-port': 'the proxy listens on <listen-port>; the upstream side binds with --upstream-source-port',
    broker: 'each client of a proxy talks to its own upstream connection',
    'keep-open': 'a proxy keeps accepting clients anyway',
    'send-only': 'a proxy reads no standard input',
    'recv-only': 'a proxy reads no standard input',
    'half-close': 'a proxy reads no standard input; FINs are passed on as they come',
    'close-on-eof': 'a proxy reads no standard input; FINs are passed on as they come',
    'quit-after': 'a proxy reads no standard input; it runs until interrupted',
  },
  run: {
    record: 'a script is a recording already; --record applies to connect, listen and proxy',
    hex: 'a script prints a transcript; -x applies to pipe mode',
    tui: 'a script runs without a screen',
    'no-tui': 'a script runs without a screen',
  },
};

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

/** How the command line names a row in a message. */
export function spellFlag(row: OptionRow): string {
  if (row.name === 'ipv4' || row.name === 'ipv6') return `-${row.short}`;
  return `--${row.name}`;
}

const attribute = (name: string) => name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * The rows given on the command line, from the command and the one before it: `sockrepl -v
 * listen 80` counts as much as `sockrepl listen -v 80`.
 */
function givenRows(
  cmd: Command,
  rows: readonly OptionRow[],
  nameOf: (row: OptionRow) => string,
): GivenOption[] {
  const sources = [cmd.parent && cmd.parent !== cmd ? cmd.parent : undefined, cmd].filter(
    (c): c is Command => c !== undefined,
  );
  const given: GivenOption[] = [];
  for (const row of rows) {
    for (const name of [nameOf(row), ...(row.aliases ?? [])]) {
      for (const c of sources) {
        const key = attribute(name);
        const source = c.getOptionValueSource(key);
        if (source === undefined || source === 'default') continue;
        const value = c.getOptionValue(key) as unknown;
        const what = nameOf(row) === row.name ? spellFlag(row) : `--${nameOf(row)}`;
        if (row.name === 'tui' && value === false) {
          given.push({ row: OPTION_ROWS.find((r) => r.name === 'no-tui')!, value: true, what: '--no-tui' });
        } else if (Array.isArray(value)) {
          for (const v of value) given.push({ row, value: String(v), what });
        } else if (value !== undefined && value !== false) {
          given.push({ row, value: value === true ? true : String(value), what });
        }
      }
    }
  }
  return given;
}

/** The command's options, resolved and checked; a flag for another command is refused. */
export function commandOptions(cmd: Command, command: CommandName): ConnectionOptions {
  const rows = OPTION_ROWS.filter((r) => r.name !== 'no-tui');
  return resolveOptions(
    givenRows(cmd, rows, (r) => r.name),
    {
      command,
      spell: spellFlag,
      refusals: REFUSALS[command],
    },
  );
}

/** The proxy's `--upstream-*` options, over the main ones. */
export function upstreamOptions(cmd: Command, main: ConnectionOptions): UpstreamOptions {
  return resolveUpstreamOptions(givenRows(cmd, UPSTREAM_ROWS, upstreamName), main, spellFlag);
}
