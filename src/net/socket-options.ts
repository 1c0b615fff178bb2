import { checkRange, parseDuration, parseInteger, parseSize } from '../codec/units.js';
import { NetError, UsageError } from '../errors.js';
import { describeNativeError } from './errno.js';
import { type NativeSocketApi, nativeSockets } from './native.js';

/**
 * The one table of socket options. The CLI flags, `/opt`, `/info` and script `connect` lines all
 * read it: names and aliases, which protocols an option fits, when it has to be set, and how it
 * is written to and read back from the kernel.
 */

export interface SocketOptionValues {
  nodelay?: boolean;
  keepalive?: boolean;
  keepaliveIdle?: number;
  keepaliveInterval?: number;
  keepaliveCount?: number;
  /** SO_LINGER timeout in seconds; 0 means close() sends RST. */
  linger?: number;
  reuseaddr?: boolean;
  reuseport?: boolean;
  rcvbuf?: number;
  sndbuf?: number;
  ttl?: number;
  tos?: number;
}

export type SocketOptionName = keyof SocketOptionValues;
export type Protocol = 'tcp' | 'udp';
/** When an option must be set to take full effect. */
export type Phase = 'before-bind' | 'before-connect' | 'any';

export interface SocketOptionSpec {
  name: SocketOptionName;
  /** The CLI flag and `/opt` name first, then accepted aliases (C names, short forms). */
  aliases: readonly [string, ...string[]];
  kind: 'bool' | 'seconds' | 'count' | 'bytes' | 'byte';
  /** The values the kernel takes (seconds, a count or bytes); none for booleans. */
  range?: readonly [min: number, max: number];
  protocols: readonly Protocol[];
  phase: Phase;
  summary: string;
  /** Writes the value; booleans arrive as 1 or 0. */
  set(api: NativeSocketApi, fd: number, value: number, ipv6: boolean): void;
  /** Reads the value back; undefined means "off" where off has no number (linger). */
  get(api: NativeSocketApi, fd: number, ipv6: boolean): number | undefined;
}

const define = (spec: SocketOptionSpec) => spec;
const MAX_INT = 2 ** 31 - 1;

export const SOCKET_OPTIONS = [
  define({
    name: 'nodelay',
    aliases: ['nodelay', 'TCP_NODELAY'],
    kind: 'bool',
    protocols: ['tcp'],
    phase: 'any',
    summary: 'send small writes at once instead of waiting to coalesce them (Nagle off)',
    set: (api, fd, v) => api.setInt(fd, api.c.IPPROTO_TCP, api.c.TCP_NODELAY, v),
    get: (api, fd) => api.getInt(fd, api.c.IPPROTO_TCP, api.c.TCP_NODELAY),
  }),
  define({
    name: 'keepalive',
    aliases: ['keepalive', 'SO_KEEPALIVE'],
    kind: 'bool',
    protocols: ['tcp'],
    phase: 'any',
    summary: 'probe an idle connection so a dead peer is noticed',
    set: (api, fd, v) => api.setInt(fd, api.c.SOL_SOCKET, api.c.SO_KEEPALIVE, v),
    get: (api, fd) => api.getInt(fd, api.c.SOL_SOCKET, api.c.SO_KEEPALIVE),
  }),
  define({
    name: 'keepaliveIdle',
    aliases: ['keepalive-idle', 'TCP_KEEPIDLE', 'keepidle'],
    kind: 'seconds',
    range: [1, 32767],
    protocols: ['tcp'],
    phase: 'any',
    summary: 'idle seconds before the first keepalive probe',
    set: (api, fd, v) => api.setInt(fd, api.c.IPPROTO_TCP, api.c.TCP_KEEPIDLE, v),
    get: (api, fd) => api.getInt(fd, api.c.IPPROTO_TCP, api.c.TCP_KEEPIDLE),
  }),
  define({
    name: 'keepaliveInterval',
    aliases: ['keepalive-interval', 'TCP_KEEPINTVL', 'keepintvl'],
    kind: 'seconds',
    range: [1, 32767],
    protocols: ['tcp'],
    phase: 'any',
    summary: 'seconds between keepalive probes',
    set: (api, fd, v) => api.setInt(fd, api.c.IPPROTO_TCP, api.c.TCP_KEEPINTVL, v),
    get: (api, fd) => api.getInt(fd, api.c.IPPROTO_TCP, api.c.TCP_KEEPINTVL),
  }),
  define({
    name: 'keepaliveCount',
    aliases: ['keepalive-count', 'TCP_KEEPCNT', 'keepcnt'],
    kind: 'count',
    range: [1, 127],
    protocols: ['tcp'],
    phase: 'any',
    summary: 'unanswered probes before the connection is dropped',
    set: (api, fd, v) => api.setInt(fd, api.c.IPPROTO_TCP, api.c.TCP_KEEPCNT, v),
    get: (api, fd) => api.getInt(fd, api.c.IPPROTO_TCP, api.c.TCP_KEEPCNT),
  }),
  define({
    name: 'linger',
    aliases: ['linger', 'SO_LINGER'],
    kind: 'seconds',
    range: [0, MAX_INT],
    protocols: ['tcp'],
    phase: 'any',
    summary: 'on close, wait this long for unsent data to be acknowledged, then RST; 0 = RST at once',
    set: (api, fd, v) => api.setLinger(fd, true, v),
    get: (api, fd) => {
      const l = api.getLinger(fd);
      return l.on ? l.seconds : undefined;
    },
  }),
  define({
    name: 'reuseaddr',
    aliases: ['reuseaddr', 'SO_REUSEADDR'],
    kind: 'bool',
    protocols: ['tcp', 'udp'],
    phase: 'before-bind',
    summary: 'bind a port that still has connections in TIME_WAIT',
    set: (api, fd, v) => api.setInt(fd, api.c.SOL_SOCKET, api.c.SO_REUSEADDR, v),
    get: (api, fd) => api.getInt(fd, api.c.SOL_SOCKET, api.c.SO_REUSEADDR),
  }),
  define({
    name: 'reuseport',
    aliases: ['reuseport', 'SO_REUSEPORT'],
    kind: 'bool',
    protocols: ['tcp', 'udp'],
    phase: 'before-bind',
    summary: 'let several sockets bind the same port (the kernel spreads clients among them)',
    set: (api, fd, v) => api.setInt(fd, api.c.SOL_SOCKET, api.c.SO_REUSEPORT, v),
    get: (api, fd) => api.getInt(fd, api.c.SOL_SOCKET, api.c.SO_REUSEPORT),
  }),
  define({
    name: 'rcvbuf',
    aliases: ['rcvbuf', 'SO_RCVBUF'],
    kind: 'bytes',
    range: [1, MAX_INT],
    protocols: ['tcp', 'udp'],
    phase: 'before-connect',
    summary: 'receive buffer size (Linux doubles it for bookkeeping and reports the doubled value)',
    set: (api, fd, v) => api.setInt(fd, api.c.SOL_SOCKET, api.c.SO_RCVBUF, v),
    get: (api, fd) => api.getInt(fd, api.c.SOL_SOCKET, api.c.SO_RCVBUF),
  }),
  define({
    name: 'sndbuf',
    aliases: ['sndbuf', 'SO_SNDBUF'],
    kind: 'bytes',
    range: [1, MAX_INT],
    protocols: ['tcp', 'udp'],
    phase: 'any',
    summary: 'send buffer size (Linux doubles it for bookkeeping and reports the doubled value)',
    set: (api, fd, v) => api.setInt(fd, api.c.SOL_SOCKET, api.c.SO_SNDBUF, v),
    get: (api, fd) => api.getInt(fd, api.c.SOL_SOCKET, api.c.SO_SNDBUF),
  }),
  define({
    name: 'ttl',
    aliases: ['ttl', 'IP_TTL', 'IPV6_UNICAST_HOPS', 'hops'],
    kind: 'byte',
    range: [1, 255],
    protocols: ['tcp', 'udp'],
    phase: 'before-connect',
    summary: 'time to live (hop limit) of outgoing packets',
    set: (api, fd, v, ipv6) =>
      ipv6
        ? api.setInt(fd, api.c.IPPROTO_IPV6, api.c.IPV6_UNICAST_HOPS, v)
        : api.setInt(fd, api.c.IPPROTO_IP, api.c.IP_TTL, v),
    get: (api, fd, ipv6) =>
      ipv6
        ? api.getInt(fd, api.c.IPPROTO_IPV6, api.c.IPV6_UNICAST_HOPS)
        : api.getInt(fd, api.c.IPPROTO_IP, api.c.IP_TTL),
  }),
  define({
    name: 'tos',
    aliases: ['tos', 'IP_TOS', 'IPV6_TCLASS', 'tclass'],
    kind: 'byte',
    range: [0, 255],
    protocols: ['tcp', 'udp'],
    phase: 'before-connect',
    summary: 'type of service / traffic class byte (DSCP and ECN) of outgoing packets',
    set: (api, fd, v, ipv6) =>
      ipv6
        ? api.setInt(fd, api.c.IPPROTO_IPV6, api.c.IPV6_TCLASS, v)
        : api.setInt(fd, api.c.IPPROTO_IP, api.c.IP_TOS, v),
    get: (api, fd, ipv6) =>
      ipv6
        ? api.getInt(fd, api.c.IPPROTO_IPV6, api.c.IPV6_TCLASS)
        : api.getInt(fd, api.c.IPPROTO_IP, api.c.IP_TOS),
  }),
] as const satisfies readonly SocketOptionSpec[];

/**
 * Finds an option by any of its names, case-insensitively: its flag name (`keepalive-idle`), its
 * C name (`TCP_KEEPIDLE`), a short form (`keepidle`) or its key (`keepaliveIdle`). Unknown names
 * list the valid ones.
 */
export function findSocketOption(name: string): SocketOptionSpec {
  const wanted = name.toLowerCase().replace(/_/g, '-');
  const spec = SOCKET_OPTIONS.find(
    (s) =>
      s.name.toLowerCase() === wanted || s.aliases.some((a) => a.toLowerCase().replace(/_/g, '-') === wanted),
  );
  if (!spec) {
    const names = SOCKET_OPTIONS.map((s) => s.aliases[0]).join(', ');
    throw new UsageError(`unknown socket option '${name}' (known: ${names})`);
  }
  return spec;
}

/**
 * Parses a value for an option, the one grammar for the command line (`--linger 2s`), `/opt`,
 * script lines and `--upstream-*`: on/off for flags, a duration in whole seconds (a bare number
 * is seconds), a size (`64k`), or a whole number, within what the kernel takes. Errors name the
 * option as `what` (`--linger`, `linger`).
 */
export function parseOptionValue(
  spec: SocketOptionSpec,
  text: string,
  what = spec.aliases[0]!,
): number | boolean {
  if (spec.kind === 'bool') {
    if (/^(1|on|true|yes)$/i.test(text)) return true;
    if (/^(0|off|false|no)$/i.test(text)) return false;
    throw new UsageError(`${what}: '${text}' is not on/off`);
  }
  const [min, max] = spec.range ?? [0, MAX_INT];
  if (spec.kind === 'seconds') {
    const ms = parseDuration(text, what);
    if (ms % 1000 !== 0) throw new UsageError(`${what}: '${text}' must be a whole number of seconds`);
    return checkRange(ms / 1000, what, min, max);
  }
  if (spec.kind === 'bytes') return checkRange(parseSize(text, what), what, min, max);
  return parseInteger(text, what, min, max);
}

/**
 * Sets every given option on a descriptor, in table order. An option that cannot be applied is
 * an error naming the option and the errno, never silently ignored.
 */
export function applySocketOptions(
  fd: number,
  values: SocketOptionValues,
  proto: Protocol,
  ipv6: boolean,
  only?: (spec: SocketOptionSpec) => boolean,
): void {
  const entries = SOCKET_OPTIONS.filter((s) => values[s.name] !== undefined && (!only || only(s)));
  if (entries.length === 0) return;
  const api = nativeSockets();
  for (const spec of entries) {
    if (!spec.protocols.includes(proto)) {
      throw new UsageError(`${spec.aliases[0]} does not apply to ${proto.toUpperCase()} sockets`);
    }
    setOne(api, fd, spec, values[spec.name]!, ipv6);
  }
}

export function setSocketOption(
  fd: number,
  spec: SocketOptionSpec,
  value: number | boolean,
  ipv6: boolean,
): void {
  setOne(nativeSockets(), fd, spec, value, ipv6);
}

function setOne(
  api: NativeSocketApi,
  fd: number,
  spec: SocketOptionSpec,
  value: number | boolean,
  ipv6: boolean,
): void {
  try {
    spec.set(api, fd, Number(value), ipv6);
  } catch (err) {
    const { code, text } = describeNativeError(err);
    throw new NetError(`setsockopt ${spec.aliases[1] ?? spec.aliases[0]}=${String(value)}: ${text}`, code, {
      cause: err,
    });
  }
}

/** Reads every option of the table that fits the protocol back from the kernel. */
export function readSocketOptions(fd: number, proto: Protocol, ipv6: boolean): SocketOptionValues {
  const api = nativeSockets();
  const out: Record<string, unknown> = {};
  for (const spec of SOCKET_OPTIONS) {
    if (!spec.protocols.includes(proto)) continue;
    try {
      const v = spec.get(api, fd, ipv6);
      out[spec.name] = spec.kind === 'bool' && v !== undefined ? v !== 0 : v;
    } catch {
      // An option the platform cannot read back is left out of the report, not guessed.
    }
  }
  return out as SocketOptionValues;
}

export function hasOptions(values: SocketOptionValues, only?: (spec: SocketOptionSpec) => boolean): boolean {
  return SOCKET_OPTIONS.some((s) => values[s.name] !== undefined && (!only || only(s)));
}
