import { parsePort } from '../codec/units.js';
import {
  parseOptionValue,
  SOCKET_OPTIONS,
  type SocketOptionName,
  type SocketOptionSpec,
} from '../net/socket-options.js';

import { ACCESS_ROWS } from './access-rows.js';
import type { ConnectionOptions } from './connection-options.js';
import { ALL_COMMANDS, GENERAL_ROWS } from './general-rows.js';
import { NC_ROWS } from './nc-rows.js';
import type { OptionRow } from './option-types.js';
import { PROGRAM_ROWS } from './program-rows.js';
import { PROXY_ROWS } from './proxy-rows.js';
import { TLS_ROWS } from './tls-rows.js';
import { TRANSPORT_ROWS } from './transport-rows.js';

/**
 * The option vocabulary: one row per option word, read by everything that takes options. The
 * command line makes its flags from it (cli/), a script's `connect`/`listen` line its words, the
 * library's connect()/listen() its keys, the proxy its `--upstream-*` twins, and a recorded script
 * writes its words back from it. Socket options come from net's socket-option table, one row each,
 * so a new kernel option is a new flag, word and key at once.
 */

export {
  type CommandName,
  HELP_GROUPS,
  type HelpGroup,
  type LineKind,
  ON_OFF,
  type OptionRow,
} from './option-types.js';

/** What a socket option's value is called in help. */
const VALUE_HINT = { seconds: 's', count: 'n', bytes: 'bytes', byte: 'n', bool: '' } as const;

/**
 * One row per socket option of net's table, named by its first alias. SO_KEEPALIVE also takes the
 * idle time as an optional value, `--keepalive [idle]`, as netcat users write it.
 */
function socketRow(spec: SocketOptionSpec): OptionRow {
  const name = spec.aliases[0];
  const keepalive = spec.name === 'keepalive';
  const idle = SOCKET_OPTIONS.find((s) => s.name === 'keepaliveIdle')!;
  const socket = (o: ConnectionOptions) => o.socket as Record<SocketOptionName, number | boolean>;
  return {
    name,
    takes: keepalive ? 'optional' : spec.kind === 'bool' ? 'none' : 'required',
    value: keepalive ? 'idle' : VALUE_HINT[spec.kind] || undefined,
    commands: ALL_COMMANDS,
    line: 'both',
    library: { on: 'both' },
    upstream: true,
    tcpOnly: !(spec.protocols as readonly string[]).includes('udp'),
    group: 'socket',
    summary: `${spec.aliases[1]}: ${spec.summary}${keepalive ? '; [idle]: seconds before the first probe (TCP_KEEPIDLE)' : ''}`,
    set(o, value, what) {
      if (spec.kind === 'bool') {
        socket(o)[spec.name] = true;
        if (keepalive && value !== true && value !== '')
          socket(o).keepaliveIdle = parseOptionValue(idle, value, what) as number;
      } else socket(o)[spec.name] = parseOptionValue(spec, String(value), what);
    },
    get(o) {
      const v = o.socket?.[spec.name];
      if (v === undefined || v === false) return undefined;
      // `keepalive=30` says both, as it is typed; keepalive-idle alone only without keepalive.
      const idleTime = o.socket?.keepaliveIdle;
      if (keepalive && idleTime !== undefined) return String(idleTime);
      if (spec.name === 'keepaliveIdle' && o.socket?.keepalive) return undefined;
      return v === true ? true : String(v);
    },
  };
}

/** Every option word, in the order help lists them. */
export const OPTION_ROWS: readonly OptionRow[] = [
  ...GENERAL_ROWS.slice(0, 7),
  ...SOCKET_OPTIONS.map(socketRow),
  ...TRANSPORT_ROWS,
  ...TLS_ROWS,
  ...PROXY_ROWS,
  ...GENERAL_ROWS.slice(7, 10),
  ...ACCESS_ROWS,
  ...GENERAL_ROWS.slice(10),
  ...PROGRAM_ROWS,
  ...NC_ROWS,
];

const BY_NAME = new Map<string, OptionRow>();
for (const row of OPTION_ROWS) {
  BY_NAME.set(row.name, row);
  for (const a of row.aliases ?? []) BY_NAME.set(a, row);
  if (row.library?.key) BY_NAME.set(row.library.key, row);
}
for (const spec of SOCKET_OPTIONS)
  for (const a of spec.aliases)
    if (!BY_NAME.has(a.toLowerCase())) BY_NAME.set(a.toLowerCase(), BY_NAME.get(spec.aliases[0])!);

/**
 * The row a word names: its name, an alias, its library key (`sourcePort`, `connectTimeout`), or
 * a socket option's C name (`SO_RCVBUF`, `TCP_NODELAY`); undefined when none.
 */
export function findOptionRow(word: string): OptionRow | undefined {
  const plain = word.replace(/^--?/, '');
  const kebab = plain.replace(/[A-Z]/g, (c, i: number) =>
    i === 0 ? c.toLowerCase() : `-${c.toLowerCase()}`,
  );
  return (
    BY_NAME.get(plain) ??
    BY_NAME.get(plain.toLowerCase()) ??
    BY_NAME.get(kebab) ??
    BY_NAME.get(plain.toLowerCase().replace(/_/g, '-'))
  );
}

/** `sourcePort` for `source-port`: a row's key in the library's options. */
export function libraryKey(row: OptionRow): string {
  return row.library?.key ?? row.name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Where a row applies, for a message: `listen and run`. */
export function whereItApplies(row: OptionRow): string {
  return row.commands.join(', ').replace(/, ([^,]*)$/, ' and $1');
}

export { parsePort };
