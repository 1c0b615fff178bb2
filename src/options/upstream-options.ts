import {
  type ConnectionOptions,
  defaultConnectionOptions,
  type UpstreamOptions,
} from './connection-options.js';
import type { OptionRow } from './option-table.js';
import { type GivenOption, resolveOptions } from './resolve-options.js';

/**
 * A proxy's upstream options (the rows in upstream-rows.ts) resolved over the main ones. The plain
 * options apply to the listening side; protocol, family and timers are shared.
 */

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
