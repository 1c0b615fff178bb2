import {
  type ConnectionOptions,
  defaultConnectionOptions,
  type UpstreamOptions,
} from './connection-options.js';
import { OPTION_ROWS, type OptionRow } from './option-table.js';
import { type GivenOption, resolveOptions } from './resolve-options.js';

/**
 * A proxy's upstream connections get their own bind address and socket options, one
 * `--upstream-<name>` per row marked `upstream` (a new socket option is a new upstream flag too).
 * The plain options apply to the listening side; protocol, family and timers are shared.
 */

export const UPSTREAM_ROWS: readonly OptionRow[] = OPTION_ROWS.filter((r) => r.upstream);

/** `upstream-linger` for `linger`. */
export const upstreamName = (row: OptionRow) => `upstream-${row.name}`;

export function resolveUpstreamOptions(
  given: readonly GivenOption[],
  main: ConnectionOptions,
  spell: (row: OptionRow) => string,
): UpstreamOptions {
  const o = resolveOptions(given, { spell, base: { ...defaultConnectionOptions(), udp: main.udp } });
  return {
    udp: main.udp,
    family: main.family,
    source: o.source,
    sourcePort: o.sourcePort,
    socket: o.socket,
    tls: o.tls,
    unix: o.unix,
    proxy: o.proxy,
    waitMs: main.waitMs,
    idleTimeoutMs: main.idleTimeoutMs,
  };
}
