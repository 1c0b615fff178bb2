import { parseDuration, parseInteger, parsePort } from '../codec/units.js';
import { UsageError } from '../errors.js';
import {
  parseOptionValue,
  SOCKET_OPTIONS,
  type SocketOptionName,
  type SocketOptionSpec,
} from '../net/socket-options.js';
import type { ConnectionOptions } from './connection-options.js';

/**
 * The option vocabulary: one row per option word, read by everything that takes options. The
 * command line makes its flags from it (cli/), a script's `connect`/`listen` line its words, the
 * library's connect()/listen() its keys, the proxy its `--upstream-*` twins, and a recorded script
 * writes its words back from it. Socket options come from net's socket-option table, one row each,
 * so a new kernel option is a new flag, word and key at once.
 */

export type CommandName = 'connect' | 'listen' | 'proxy' | 'run';
export type LineKind = 'connect' | 'listen';

/** The sections of `--help` (design section 2's tables). */
export const HELP_GROUPS = {
  connection: 'Connection:',
  socket: 'Socket options:',
  listen: 'Listening:',
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

const ALL: readonly CommandName[] = ['connect', 'listen', 'proxy', 'run'];
const CONNECTING: readonly CommandName[] = ['connect', 'run'];
const LISTENING: readonly CommandName[] = ['listen', 'run'];
const STDIO: readonly CommandName[] = ['connect', 'listen'];
const SESSIONS: readonly CommandName[] = ['connect', 'listen', 'proxy'];

const flag =
  (get: (o: Partial<ConnectionOptions>) => boolean | undefined) => (o: Partial<ConnectionOptions>) =>
    get(o) ? (true as const) : undefined;
const text = (v: string | number | undefined) => (v === undefined ? undefined : String(v));
const seconds = (ms: number | undefined) => (ms === undefined ? undefined : `${ms / 1000}s`);
/** A switch given a value (`nodelay=on` in a script) takes only on/off words. */
export const ON_OFF = /^(1|on|true|yes|0|off|false|no)$/i;

const choice =
  <T extends string>(what: string, choices: readonly T[]) =>
  (value: string | true, name: string): T => {
    const v = String(value).toLowerCase();
    if ((choices as readonly string[]).includes(v)) return v as T;
    throw new UsageError(
      `${name}: '${String(value)}' is not ${choices.join(', ').replace(/, ([^,]*)$/, ' or $1')} (${what})`,
    );
  };

const parseEndianWord = choice('byte order', ['le', 'be'] as const);
const parseEolWord = choice('line end', ['lf', 'crlf', 'none'] as const);

/** Transport, display, plugin and output rows (design section 2). */
const GENERAL_ROWS: OptionRow[] = [
  {
    name: 'udp',
    short: 'u',
    takes: 'none',
    commands: ALL,
    line: 'both',
    library: { on: 'both' },
    group: 'connection',
    summary: 'UDP instead of TCP',
    set: (o) => {
      o.udp = true;
    },
    get: flag((o) => o.udp),
  },
  {
    name: 'ipv4',
    short: '4',
    takes: 'none',
    commands: ALL,
    line: 'both',
    group: 'connection',
    summary: 'IPv4 only',
    set: (o) => {
      o.family = 4;
    },
    get: flag((o) => o.family === 4),
  },
  {
    name: 'ipv6',
    short: '6',
    takes: 'none',
    commands: ALL,
    line: 'both',
    group: 'connection',
    summary: 'IPv6 only',
    set: (o) => {
      o.family = 6;
    },
    get: flag((o) => o.family === 6),
  },
  {
    name: 'source',
    short: 's',
    takes: 'required',
    value: 'addr',
    commands: ALL,
    line: 'connect',
    library: { on: 'connect' },
    upstream: true,
    group: 'connection',
    summary: 'local address to bind (proxy: the address to listen on)',
    set: (o, v) => {
      o.source = String(v);
    },
    get: (o) => o.source,
  },
  {
    name: 'source-port',
    short: 'p',
    takes: 'required',
    value: 'port',
    commands: CONNECTING,
    line: 'connect',
    library: { on: 'connect' },
    upstream: true,
    group: 'connection',
    summary: 'local port to bind when connecting (netcat -p)',
    set: (o, v, what) => {
      o.sourcePort = parseInteger(String(v), what, 1, 65535);
    },
    get: (o) => text(o.sourcePort),
  },
  {
    name: 'wait',
    short: 'w',
    takes: 'required',
    value: 'dur',
    commands: ['connect', 'proxy', 'run'],
    line: 'connect',
    library: { on: 'connect', key: 'connectTimeout' },
    group: 'connection',
    summary: 'connect timeout',
    set: (o, v, what) => {
      o.waitMs = parseDuration(String(v), what);
    },
    get: (o) => seconds(o.waitMs),
  },
  {
    name: 'idle-timeout',
    short: 'i',
    takes: 'required',
    value: 'dur',
    commands: ALL,
    line: 'both',
    library: { on: 'both' },
    group: 'connection',
    summary: 'close after this long with no traffic either way',
    set: (o, v, what) => {
      o.idleTimeoutMs = parseDuration(String(v), what);
    },
    get: (o) => seconds(o.idleTimeoutMs),
  },
  {
    name: 'keep-open',
    short: 'k',
    takes: 'none',
    commands: LISTENING,
    line: 'listen',
    group: 'listen',
    summary: 'keep accepting clients after the first',
    set: (o) => {
      o.keepOpen = true;
    },
    get: flag((o) => o.keepOpen),
  },
  {
    name: 'max-clients',
    takes: 'required',
    value: 'n',
    commands: ['listen', 'proxy', 'run'],
    line: 'listen',
    library: { on: 'listen' },
    group: 'listen',
    summary: 'turn clients away while n are connected',
    set: (o, v, what) => {
      o.maxClients = parseInteger(String(v), what, 1, 1_000_000);
    },
    get: (o) => text(o.maxClients),
  },
  {
    name: 'broker',
    takes: 'none',
    commands: LISTENING,
    line: 'listen',
    group: 'listen',
    summary: "relay every client's data to all other clients",
    set: (o) => {
      o.broker = true;
      o.keepOpen = true;
    },
    get: flag((o) => o.broker),
  },
  {
    name: 'half-close',
    short: 'N',
    takes: 'none',
    commands: STDIO,
    group: 'pipe',
    summary: 'on EOF of standard input, shut down the write side (FIN)',
    set: (o) => {
      o.halfClose = true;
    },
  },
  {
    name: 'quit-after',
    short: 'q',
    takes: 'required',
    value: 'dur',
    commands: STDIO,
    group: 'pipe',
    summary: 'after EOF of standard input, wait this long, then quit',
    set: (o, v, what) => {
      o.quitAfterMs = parseDuration(String(v), what);
    },
  },
  {
    name: 'send-only',
    takes: 'none',
    commands: STDIO,
    group: 'pipe',
    summary: 'only send standard input; quit when it ends',
    set: (o) => {
      o.sendOnly = true;
    },
  },
  {
    name: 'recv-only',
    takes: 'none',
    commands: STDIO,
    group: 'pipe',
    summary: 'only receive; never read standard input',
    set: (o) => {
      o.recvOnly = true;
    },
  },
  {
    name: 'hex',
    short: 'x',
    takes: 'optional',
    value: 'file',
    commands: SESSIONS,
    group: 'display',
    summary: 'pipe mode: hex-dump traffic to standard error or a file',
    set: (o, v) => {
      o.hex = v === true || v === '' ? true : v;
    },
  },
  {
    name: 'encoding',
    short: 'e',
    takes: 'required',
    value: 'name',
    commands: ALL,
    group: 'display',
    summary: 'text encoding for display and typed text (utf8, gbk, big5, shift_jis, utf16le...)',
    set: (o, v) => {
      o.encoding = String(v);
    },
  },
  {
    name: 'endian',
    takes: 'required',
    value: 'le|be',
    commands: ALL,
    group: 'display',
    summary: 'default byte order of the inspector and struct formats (default be)',
    set: (o, v, what) => {
      o.endian = parseEndianWord(v, what);
    },
  },
  {
    name: 'eol',
    takes: 'required',
    value: 'lf|crlf|none',
    commands: ALL,
    group: 'display',
    summary: 'what a typed line ends with (default lf)',
    set: (o, v, what) => {
      o.eol = parseEolWord(v, what);
    },
  },
  {
    name: 'frame',
    takes: 'list',
    value: 'spec',
    commands: ALL,
    group: 'plugins',
    summary: 'framing, e.g. length:u32be, lines, delim:\\r\\n, fixed:16',
    set: (o, v) => {
      o.frame.push(String(v));
    },
  },
  {
    name: 'fault',
    takes: 'list',
    value: 'spec',
    commands: ALL,
    group: 'plugins',
    summary: 'fault injection, e.g. delay:200ms, fragment:1 (repeatable)',
    set: (o, v) => {
      o.fault.push(String(v));
    },
  },
  {
    name: 'plugin',
    takes: 'list',
    value: 'path',
    commands: ALL,
    group: 'plugins',
    summary: 'load a plugin module (repeatable)',
    set: (o, v) => {
      o.plugin.push(String(v));
    },
  },
  {
    name: 'seed',
    takes: 'required',
    value: 'n',
    commands: ALL,
    group: 'plugins',
    summary: 'seed of the faults’ randomness (a run repeats with the same seed)',
    set: (o, v, what) => {
      o.seed = parseInteger(String(v), what, 0, 2 ** 32 - 1);
    },
  },
  {
    name: 'json',
    takes: 'none',
    commands: ALL,
    group: 'output',
    summary: 'machine mode: NDJSON events on stdout, commands from stdin',
    set: (o) => {
      o.json = true;
    },
  },
  {
    name: 'record',
    takes: 'required',
    value: 'file',
    commands: SESSIONS,
    group: 'output',
    summary: 'record the session as a replayable script',
    set: (o, v) => {
      o.record = String(v);
    },
  },
  {
    name: 'pcap',
    takes: 'required',
    value: 'file',
    commands: SESSIONS,
    group: 'output',
    summary: "write the session's traffic as a pcap file",
    set: (o, v) => {
      o.pcap = String(v);
    },
  },
  {
    name: 'tui',
    takes: 'none',
    commands: SESSIONS,
    group: 'output',
    summary: 'force the interactive screen (--no-tui: never open it)',
    set: (o) => {
      o.tui = true;
    },
  },
  {
    name: 'no-tui',
    takes: 'none',
    commands: SESSIONS,
    group: 'output',
    summary: 'never open the interactive screen',
    set: (o) => {
      o.tui = false;
    },
  },
  {
    name: 'verbose',
    short: 'v',
    takes: 'none',
    commands: ALL,
    group: 'output',
    summary: 'say what happens on standard error',
    set: (o) => {
      o.verbose = true;
    },
  },
];

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
    commands: ALL,
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
  ...GENERAL_ROWS.slice(7),
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
