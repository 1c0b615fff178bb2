import type { Command } from 'commander';
import type { ConnectionOptions } from '../cli/connection-options.js';
import { parsePort } from '../codec/units.js';
import { UsageError } from '../errors.js';
import {
  parseOptionValue,
  SOCKET_OPTIONS,
  type SocketOptionSpec,
  type SocketOptionValues,
} from '../net/socket-options.js';

/** How each client's upstream connection is made: where to, and its own socket options. */
export interface UpstreamSpec {
  host: string;
  port: number;
  options: UpstreamOptions;
}

export type UpstreamOptions = Pick<
  ConnectionOptions,
  'udp' | 'family' | 'source' | 'sourcePort' | 'socket' | 'waitMs' | 'idleTimeoutMs'
>;

const flag = (spec: SocketOptionSpec) => `upstream-${spec.aliases[0]}`;
const key = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const HINT: Record<SocketOptionSpec['kind'], string> = {
  bool: '',
  seconds: '<s>',
  count: '<n>',
  bytes: '<bytes>',
  byte: '<n>',
};

/**
 * The proxy's upstream side gets its own socket options, one `--upstream-<name>` per row of the
 * socket-option table (so a new row is a new flag here too), plus where it binds. The plain
 * options (`--nodelay`, `--linger`...) apply to the listening side and the clients it accepts.
 */
export function addUpstreamOptions(cmd: Command): Command {
  cmd
    .option('--upstream-source <addr>', 'local address the upstream connections bind')
    .option('--upstream-source-port <port>', 'local port the upstream connections bind');
  for (const spec of SOCKET_OPTIONS) {
    const hint = HINT[spec.kind];
    cmd.option(`--${flag(spec)}${hint ? ` ${hint}` : ''}`, `upstream: ${spec.summary}`);
  }
  return cmd;
}

/** Reads the `--upstream-*` values; timeouts and the address family are shared with the listening side. */
export function resolveUpstreamOptions(
  raw: Record<string, unknown>,
  base: ConnectionOptions,
): UpstreamOptions {
  const socket: SocketOptionValues = {};
  for (const spec of SOCKET_OPTIONS) {
    const value = raw[key(flag(spec))];
    if (value === undefined) continue;
    if (base.udp && !(spec.protocols as readonly string[]).includes('udp'))
      throw new UsageError(`--${flag(spec)} applies to TCP only, not with --udp`);
    (socket as Record<string, number | boolean>)[spec.name] =
      value === true ? true : parseOptionValue(spec, String(value), `--${flag(spec)}`);
  }
  const sp = raw.upstreamSourcePort;
  return {
    udp: base.udp,
    family: base.family,
    source: typeof raw.upstreamSource === 'string' ? raw.upstreamSource : undefined,
    sourcePort: typeof sp === 'string' ? parsePort(sp, '--upstream-source-port') : undefined,
    socket,
    waitMs: base.waitMs,
    idleTimeoutMs: base.idleTimeoutMs,
  };
}
