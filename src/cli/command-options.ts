import type { Command } from 'commander';
import type { ConnectionOptions, UpstreamOptions } from '../options/connection-options.js';
import { type CommandName, OPTION_ROWS, type OptionRow } from '../options/option-table.js';
import { type GivenOption, resolveOptions } from '../options/resolve-options.js';
import { resolveUpstreamOptions } from '../options/upstream-options.js';
import { UPSTREAM_ROWS, upstreamName } from '../options/upstream-rows.js';

/**
 * The values commander collected, turned back into option rows for the one resolver. Loaded by a
 * command's action, not with the command tree: help and usage errors need no resolver.
 */

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
