import { type Command, Option } from 'commander';
import { parseDuration, parseInteger, parsePort } from '../codec/units.js';
import { UsageError } from '../errors.js';
import { parseOptionValue, SOCKET_OPTIONS, type SocketOptionValues } from '../net/socket-options.js';

/** Everything the connect/listen/proxy/run commands share, resolved from the command line. */
export interface ConnectionOptions {
  udp: boolean;
  family?: 4 | 6;
  source?: string;
  sourcePort?: number;
  socket: SocketOptionValues;
  waitMs?: number;
  idleTimeoutMs?: number;
  halfClose: boolean;
  quitAfterMs?: number;
  sendOnly: boolean;
  recvOnly: boolean;
  keepOpen: boolean;
  maxClients?: number;
  broker: boolean;
  hex?: string | true;
  encoding: string;
  endian: 'le' | 'be';
  eol: 'lf' | 'crlf' | 'none';
  frame: string[];
  fault: string[];
  plugin: string[];
  seed?: number;
  json: boolean;
  record?: string;
  pcap?: string;
  tui?: boolean;
  verbose: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Adds the transport, socket, display, plugin and output options of design section 2. */
export function addConnectionOptions(cmd: Command): Command {
  cmd
    .option('-u, --udp', 'UDP instead of TCP')
    .option('-4', 'force IPv4')
    .option('-6', 'force IPv6')
    .option('-s, --source <addr>', 'local address to bind')
    .option('-p, --source-port <port>', 'local port to bind when connecting (netcat -p)');
  addSocketOptionFlags(cmd);
  return cmd
    .option('-w, --wait <dur>', 'connect timeout')
    .option('-i, --idle-timeout <dur>', 'close after this long with no traffic either way')
    .option('-N, --half-close', 'on EOF of standard input, shut down the write side (FIN)')
    .option('-q, --quit-after <dur>', 'after EOF of standard input, wait this long, then quit')
    .option('--send-only', 'only send standard input; quit when it ends')
    .option('--recv-only', 'only receive; never read standard input')
    .option('-k, --keep-open', 'listen: keep accepting clients after the first')
    .option('--max-clients <n>', 'listen: refuse clients beyond n')
    .option('--broker', "listen: relay every client's data to all other clients")
    .option('-x, --hex [file]', 'pipe mode: hex-dump traffic to standard error or a file')
    .option('-e, --encoding <name>', 'text encoding for display and typed text', 'utf8')
    .addOption(new Option('--endian <order>', 'default byte order').choices(['le', 'be']).default('be'))
    .addOption(
      new Option('--eol <eol>', 'what a typed line ends with').choices(['lf', 'crlf', 'none']).default('lf'),
    )
    .option('--frame <spec>', 'framing, e.g. length:u32be, lines, delim:\\r\\n, fixed:16', collect)
    .option('--fault <spec>', 'fault injection, e.g. delay:200ms, fragment:1 (repeatable)', collect)
    .option('--plugin <path>', 'load a plugin module (repeatable)', collect)
    .option('--seed <n>', 'seed for fault randomness')
    .option('--json', 'machine mode: NDJSON events on stdout, commands from stdin')
    .option('--record <file>', 'record the session as a replayable script')
    .option('--pcap <file>', "write the session's traffic as a pcap file")
    .option('--tui', 'force the interactive screen')
    .option('--no-tui', 'never open the interactive screen')
    .option('-v, --verbose', 'say what happens on standard error');
}

type Raw = Record<string, unknown>;
const str = (raw: Raw, key: string) => (typeof raw[key] === 'string' ? (raw[key] as string) : undefined);

/** Turns commander's raw values into checked, typed options; bad values are usage errors. */
export function resolveConnectionOptions(raw: Raw): ConnectionOptions {
  if (raw['4'] && raw['6']) throw new UsageError('-4 and -6 exclude each other');
  if (raw.sendOnly && raw.recvOnly) throw new UsageError('--send-only and --recv-only exclude each other');
  const udp = Boolean(raw.udp);
  const socket = resolveSocketOptions(raw, udp);

  const sp = str(raw, 'sourcePort');
  const maxClients = str(raw, 'maxClients');
  const seed = str(raw, 'seed');
  const wait = str(raw, 'wait');
  const idle = str(raw, 'idleTimeout');
  const quit = str(raw, 'quitAfter');
  return {
    udp,
    family: raw['4'] ? 4 : raw['6'] ? 6 : undefined,
    source: str(raw, 'source'),
    sourcePort: sp === undefined ? undefined : parseInteger(sp, '--source-port', 1, 65535),
    socket,
    waitMs: wait === undefined ? undefined : parseDuration(wait, '--wait'),
    idleTimeoutMs: idle === undefined ? undefined : parseDuration(idle, '--idle-timeout'),
    halfClose: Boolean(raw.halfClose),
    quitAfterMs: quit === undefined ? undefined : parseDuration(quit, '--quit-after'),
    sendOnly: Boolean(raw.sendOnly),
    recvOnly: Boolean(raw.recvOnly),
    keepOpen: Boolean(raw.keepOpen),
    maxClients:
      maxClients === undefined ? undefined : parseInteger(maxClients, '--max-clients', 1, 1_000_000),
    broker: Boolean(raw.broker),
    hex: raw.hex === true || raw.hex === '' ? true : str(raw, 'hex'),
    encoding: str(raw, 'encoding') ?? 'utf8',
    endian: raw.endian === 'le' ? 'le' : 'be',
    eol: raw.eol === 'crlf' ? 'crlf' : raw.eol === 'none' ? 'none' : 'lf',
    frame: (raw.frame as string[] | undefined) ?? [],
    fault: (raw.fault as string[] | undefined) ?? [],
    plugin: (raw.plugin as string[] | undefined) ?? [],
    seed: seed === undefined ? undefined : parseInteger(seed, '--seed', 0, 2 ** 32 - 1),
    json: Boolean(raw.json),
    record: str(raw, 'record'),
    pcap: str(raw, 'pcap'),
    tui: typeof raw.tui === 'boolean' ? raw.tui : undefined,
    verbose: Boolean(raw.verbose),
  };
}

/**
 * One flag per row of the socket-option table (a new row is a new flag), named by its first
 * alias; SO_KEEPALIVE with TCP_KEEPIDLE is the one `--keepalive [idle]`, as nc users write it.
 */
function addSocketOptionFlags(cmd: Command): void {
  for (const spec of SOCKET_OPTIONS) {
    if (spec.name === 'keepaliveIdle') continue;
    const name = spec.aliases[0];
    const value =
      spec.name === 'keepalive' ? ' [idle]' : spec.kind === 'bool' ? '' : ` <${VALUE_HINT[spec.kind]}>`;
    const idle = spec.name === 'keepalive' ? '; [idle]: seconds before the first probe (TCP_KEEPIDLE)' : '';
    cmd.option(`--${name}${value}`, `${spec.aliases[1]}: ${spec.summary}${idle}`);
  }
}

const VALUE_HINT = { seconds: 's', count: 'n', bytes: 'bytes', byte: 'n', bool: '' } as const;

/** The socket options given as flags, each parsed by the table's one grammar. */
function resolveSocketOptions(raw: Raw, udp: boolean): SocketOptionValues {
  const socket: Record<string, number | boolean> = {};
  for (const spec of SOCKET_OPTIONS) {
    const flag = spec.name === 'keepaliveIdle' ? 'keepalive' : spec.aliases[0];
    const value = raw[camel(flag)];
    if (value === undefined || value === false) continue;
    if (udp && !(spec.protocols as readonly string[]).includes('udp'))
      throw new UsageError(`--${flag} applies to TCP only, not with --udp`);
    if (spec.kind === 'bool') socket[spec.name] = true;
    else if (typeof value === 'string' && value !== '')
      socket[spec.name] = parseOptionValue(spec, value, `--${flag}`);
  }
  return socket as SocketOptionValues;
}

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

export { parsePort };
