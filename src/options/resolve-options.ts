import { UsageError } from '../errors.js';
import { type ConnectionOptions, defaultConnectionOptions } from './connection-options.js';
import { type CommandName, findOptionRow, type OptionRow, whereItApplies } from './option-table.js';
import { checkProxyOptions } from './proxy-rows.js';

/**
 * One resolver for every way options are given: the command line's flags, a script line's words
 * and the library's keys each become a list of GivenOption, resolved here with the same checks. A
 * message names the option the way the user wrote it (`--linger`, `linger`, `sourcePort`).
 */

export interface GivenOption {
  row: OptionRow;
  /** The text given, or true for a bare switch. */
  value: string | true;
  /** How the user named it, for messages. */
  what: string;
}

export interface ResolveContext {
  /** The command the options are for; a row for other commands is refused. */
  command?: CommandName;
  /** How this front end names a row in a message (`-4`, `ipv4`, `family 4`). */
  spell: (row: OptionRow) => string;
  /** Why a row does not fit the command, where the generic "applies to ... only" says too little. */
  refusals?: Readonly<Record<string, string>>;
  /** Options to start from (a script's command line under each connect line); defaults otherwise. */
  base?: ConnectionOptions;
}

export function resolveOptions(given: readonly GivenOption[], context: ResolveContext): ConnectionOptions {
  const o = context.base ? copyOptions(context.base) : defaultConnectionOptions();
  for (const g of given) {
    const { command } = context;
    if (command && !g.row.commands.includes(command)) {
      const why = context.refusals?.[g.row.name];
      throw new UsageError(
        why
          ? `${command}: ${g.what}: ${why}`
          : `${g.what} applies to ${whereItApplies(g.row)}, not ${command}`,
      );
    }
    g.row.set(o, g.value, g.what);
  }
  checkProxyOptions(o, '--proxy-type, --proxy-auth and --proxy-dns');
  checkCombinations(given, o, context);
  return o;
}

/** Options that exclude each other, and TCP-only options with UDP. */
function checkCombinations(
  given: readonly GivenOption[],
  o: ConnectionOptions,
  context: ResolveContext,
): void {
  const named = (name: string) => given.find((g) => g.row.name === name);
  const pair = (a: string, b: string) => {
    const x = named(a);
    const y = named(b);
    if (x && y) throw new UsageError(`${x.what} and ${y.what} exclude each other`);
  };
  pair('ipv4', 'ipv6');
  pair('send-only', 'recv-only');
  pair('tui', 'no-tui');
  if (!o.udp) return;
  const udp = named('udp');
  for (const g of given) {
    if (g.row.tcpOnly) {
      const why = udp ? udp.what : context.spell(findOptionRow('udp')!);
      throw new UsageError(`${g.what} applies to TCP only, not with ${why}`);
    }
  }
}

/** A deep enough copy that setting options never changes the original. */
export function copyOptions(o: ConnectionOptions): ConnectionOptions {
  return {
    ...o,
    socket: { ...o.socket },
    proxy: o.proxy ? { ...o.proxy } : undefined,
    tls: o.tls ? { ...o.tls, alpn: o.tls.alpn && [...o.tls.alpn] } : undefined,
    frame: [...o.frame],
    fault: [...o.fault],
    plugin: [...o.plugin],
  };
}
