/** The shape of a row of the option vocabulary (option-table.ts). */
import type { ConnectionOptions } from './connection-options.js';

export type CommandName = 'connect' | 'listen' | 'proxy' | 'run' | 'exec';
export type LineKind = 'connect' | 'listen';

/** The sections of `--help` (design section 2's tables). */
export const HELP_GROUPS = {
  connection: 'Connection:',
  socket: 'Socket options:',
  listen: 'Listening:',
  programs: 'Programs (exec, -e, -c):',
  tls: 'TLS (ncat --ssl names):',
  proxy: 'Through a proxy:',
  pipe: 'Standard input and output (pipe mode):',
  display: 'Display and text:',
  plugins: 'Framing, faults and plugins:',
  output: 'Output and modes:',
} as const;
export type HelpGroup = keyof typeof HELP_GROUPS;

export interface OptionRow {
  /** The long name: the flag `--source-port`, the script word `source-port`, the key `sourcePort`. */
  name: string;
  /** The one-letter netcat flag: `p` for `-p`. */
  short?: string;
  /** Other long names taken everywhere (`max-conns` for `max-clients`). */
  aliases?: readonly string[];
  /** none: a switch; optional: `--keepalive [idle]`; required: takes a value; list: repeatable. */
  takes: 'none' | 'optional' | 'required' | 'list';
  /** The value's name in help: `port` for `<port>`. */
  value?: string;
  /** The commands that take it. Given to another command, it is refused with where it applies. */
  commands: readonly CommandName[];
  /** Which line of a script takes it as a word (`connect host port nodelay source-port=40000`). */
  line?: LineKind | 'both';
  /** Which library call takes it as a key, when it does; `key` when not the camelCase name. */
  library?: { on: LineKind | 'both'; key?: string };
  /** The proxy also takes `--upstream-<name>` for its upstream connections. */
  upstream?: boolean;
  /** Refused with UDP. */
  tcpOnly?: boolean;
  group: HelpGroup;
  summary: string;
  /** Sets the option from the text given (`true` for a bare switch); `what` is how it was named. */
  set(o: ConnectionOptions, value: string | true, what: string): void;
  /** The inverse, for a recorded script's words: the value, `true` for a bare word, or unset. */
  get?(o: Partial<ConnectionOptions>): string | true | undefined;
}

/** A switch given a value (`nodelay=on` in a script) takes only on/off words. */
export const ON_OFF = /^(1|on|true|yes|0|off|false|no)$/i;
