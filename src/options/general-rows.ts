import { parseDuration, parseInteger } from '../codec/units.js';
import { UsageError } from '../errors.js';
import { ADDRESS_ROWS } from './address-rows.js';
import type { ConnectionOptions } from './connection-options.js';
import type { CommandName, OptionRow } from './option-types.js';

export const ALL_COMMANDS: readonly CommandName[] = ['connect', 'listen', 'proxy', 'run'];
const ALL = ALL_COMMANDS;
const CONNECTING: readonly CommandName[] = ['connect', 'run'];
const LISTENING: readonly CommandName[] = ['listen', 'run'];
const STDIO: readonly CommandName[] = ['connect', 'listen'];
const SESSIONS: readonly CommandName[] = ['connect', 'listen', 'proxy'];
/** A program as the connection (`sockrepl exec`) takes what is not about sockets. */
const VIEWS: readonly CommandName[] = [...ALL, 'exec'];
const STDIO_EXEC: readonly CommandName[] = [...STDIO, 'exec'];
const SESSIONS_EXEC: readonly CommandName[] = [...SESSIONS, 'exec'];

const flag =
  (get: (o: Partial<ConnectionOptions>) => boolean | undefined) => (o: Partial<ConnectionOptions>) =>
    get(o) ? (true as const) : undefined;
const text = (v: string | number | undefined) => (v === undefined ? undefined : String(v));
const seconds = (ms: number | undefined) => (ms === undefined ? undefined : `${ms / 1000}s`);
/**
 * A timeout of 0 means no timeout, for -w and -i alike (as SO_RCVTIMEO and ncat's --idle-timeout
 * read it): -i 0 used to mean "never" while -w 0 timed out at once.
 */
const noneIfZero = (ms: number) => (ms === 0 ? undefined : ms);

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
export const GENERAL_ROWS: OptionRow[] = [
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
  ...ADDRESS_ROWS,
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
    summary: 'local address to bind (listen, proxy: the address to listen on)',
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
    summary: 'connect timeout (0: none, as for -i)',
    set: (o, v, what) => {
      o.waitMs = noneIfZero(parseDuration(String(v), what));
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
    summary: 'close after this long with no traffic either way (0: never)',
    set: (o, v, what) => {
      o.idleTimeoutMs = noneIfZero(parseDuration(String(v), what));
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
    // ncat's name and short flag; --max-clients was sockrepl's first name for it.
    name: 'max-conns',
    short: 'm',
    aliases: ['max-clients'],
    takes: 'required',
    value: 'n',
    commands: ['listen', 'proxy', 'run'],
    line: 'listen',
    library: { on: 'listen' },
    group: 'listen',
    summary: 'turn clients away (accept, then close) while n are connected; 0 turns every client away',
    set: (o, v, what) => {
      o.maxClients = parseInteger(String(v), what, 0, 1_000_000);
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
    name: 'close-on-eof',
    takes: 'none',
    commands: STDIO,
    group: 'pipe',
    summary: "with -N, close at the peer's FIN (nc's behaviour), dropping unsent standard input",
    set: (o) => {
      o.closeOnEof = true;
    },
  },
  {
    name: 'quit-after',
    short: 'q',
    takes: 'required',
    value: 'dur',
    commands: STDIO_EXEC,
    group: 'pipe',
    summary: 'after EOF of standard input, wait this long, then quit',
    set: (o, v, what) => {
      o.quitAfterMs = parseDuration(String(v), what);
    },
  },
  {
    name: 'send-only',
    takes: 'none',
    commands: STDIO_EXEC,
    group: 'pipe',
    summary: 'only send standard input; quit when it ends',
    set: (o) => {
      o.sendOnly = true;
    },
  },
  {
    name: 'recv-only',
    takes: 'none',
    commands: STDIO_EXEC,
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
    commands: SESSIONS_EXEC,
    group: 'display',
    summary: 'pipe mode: hex-dump traffic to standard error or a file',
    set: (o, v) => {
      o.hex = v === true || v === '' ? true : v;
    },
  },
  {
    name: 'encoding',
    short: 'E',
    aliases: ['enc'],
    takes: 'required',
    value: 'name',
    commands: VIEWS,
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
    commands: VIEWS,
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
    commands: VIEWS,
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
    commands: VIEWS,
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
    commands: VIEWS,
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
    commands: VIEWS,
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
    commands: VIEWS,
    group: 'plugins',
    summary: 'seed of the faults’ randomness (a run repeats with the same seed)',
    set: (o, v, what) => {
      o.seed = parseInteger(String(v), what, 0, 2 ** 32 - 1);
    },
  },
  {
    name: 'json',
    takes: 'none',
    commands: VIEWS,
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
    commands: SESSIONS_EXEC,
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
    commands: VIEWS,
    group: 'output',
    summary: "write the session's traffic as a capture file (pcapng when it ends in .pcapng)",
    set: (o, v) => {
      o.pcap = String(v);
    },
  },
  {
    name: 'tui',
    takes: 'none',
    commands: SESSIONS_EXEC,
    group: 'output',
    summary: 'force the interactive screen (--no-tui: never open it)',
    set: (o) => {
      o.tui = true;
    },
  },
  {
    name: 'no-tui',
    takes: 'none',
    commands: SESSIONS_EXEC,
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
    commands: VIEWS,
    group: 'output',
    summary: 'say what happens on standard error',
    set: (o) => {
      o.verbose = true;
    },
  },
];
