import { type Command, Option } from 'commander';
import { UsageError } from '../errors.js';
import type { SocketOptionValues } from '../net/socket-options.js';
import { parseDuration, parseInteger, parsePort, parseSize } from './units.js';

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
  return cmd
    .option('-u, --udp', 'UDP instead of TCP')
    .option('-4', 'force IPv4')
    .option('-6', 'force IPv6')
    .option('-s, --source <addr>', 'local address to bind')
    .option('-p, --source-port <port>', 'local port to bind when connecting (netcat -p)')
    .option('--nodelay', 'TCP_NODELAY: send small writes at once')
    .option('--keepalive [idle]', 'SO_KEEPALIVE, optional idle time before probes (TCP_KEEPIDLE)')
    .option('--keepalive-interval <s>', 'TCP_KEEPINTVL: time between keepalive probes')
    .option('--keepalive-count <n>', 'TCP_KEEPCNT: unanswered probes before the connection drops')
    .option('--linger <s>', 'SO_LINGER on with this timeout; 0 means close sends RST')
    .option('--reuseaddr', 'SO_REUSEADDR')
    .option('--reuseport', 'SO_REUSEPORT')
    .option('--rcvbuf <bytes>', 'SO_RCVBUF')
    .option('--sndbuf <bytes>', 'SO_SNDBUF')
    .option('--ttl <n>', 'IP_TTL / IPV6_UNICAST_HOPS')
    .option('--tos <n>', 'IP_TOS (IPV6_TCLASS on IPv6)')
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
  const socket: SocketOptionValues = {};
  if (raw.nodelay) socket.nodelay = true;
  if (raw.keepalive !== undefined) {
    socket.keepalive = true;
    if (typeof raw.keepalive === 'string' && raw.keepalive !== '') {
      socket.keepaliveIdle = seconds(raw.keepalive, '--keepalive');
    }
  }
  const ka = str(raw, 'keepaliveInterval');
  if (ka !== undefined) socket.keepaliveInterval = seconds(ka, '--keepalive-interval');
  const kc = str(raw, 'keepaliveCount');
  if (kc !== undefined) socket.keepaliveCount = parseInteger(kc, '--keepalive-count', 1, 127);
  const linger = str(raw, 'linger');
  if (linger !== undefined) socket.linger = seconds(linger, '--linger', 0);
  if (raw.reuseaddr) socket.reuseaddr = true;
  if (raw.reuseport) socket.reuseport = true;
  const rcv = str(raw, 'rcvbuf');
  if (rcv !== undefined) socket.rcvbuf = positiveSize(rcv, '--rcvbuf');
  const snd = str(raw, 'sndbuf');
  if (snd !== undefined) socket.sndbuf = positiveSize(snd, '--sndbuf');
  const ttl = str(raw, 'ttl');
  if (ttl !== undefined) socket.ttl = parseInteger(ttl, '--ttl', 1, 255);
  const tos = str(raw, 'tos');
  if (tos !== undefined) socket.tos = parseInteger(tos, '--tos', 0, 255);
  const hasSocketKeys = Object.keys(socket).length > 0;
  const udp = Boolean(raw.udp);
  if (udp && hasSocketKeys) {
    const tcpOnly = [
      'nodelay',
      'keepalive',
      'keepaliveIdle',
      'keepaliveInterval',
      'keepaliveCount',
      'linger',
    ];
    const bad = Object.keys(socket).filter((k) => tcpOnly.includes(k));
    if (bad.length > 0) throw new UsageError(`--${kebab(bad[0]!)} applies to TCP only, not with --udp`);
  }

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

function seconds(text: string, what: string, min = 1): number {
  const ms = parseDuration(text, what);
  const s = ms / 1000;
  if (!Number.isInteger(s) || s < min) {
    throw new UsageError(
      `${what}: '${text}' must be a whole number of seconds${min > 0 ? ' (at least 1)' : ''}`,
    );
  }
  return s;
}

function positiveSize(text: string, what: string): number {
  const n = parseSize(text, what);
  if (n < 1 || n > 2 ** 31 - 1) throw new UsageError(`${what}: ${text} is out of range`);
  return n;
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export { parsePort };
