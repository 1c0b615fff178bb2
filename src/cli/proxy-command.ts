import type { Command } from 'commander';
import { parsePort } from '../codec/units.js';
import { UsageError } from '../errors.js';
import { resolveHost, unbracket } from '../net/resolve.js';
import { addUpstreamOptions, resolveUpstreamOptions } from '../proxy/upstream-options.js';
import type { SessionSpec } from '../session/session-spec.js';
import {
  addConnectionOptions,
  type ConnectionOptions,
  resolveConnectionOptions,
} from './connection-options.js';
import { mergedOptions } from './merged-options.js';
import { startSession } from './start-session.js';

/**
 * `sockrepl proxy <listen-port> <host> <port>`: every client that connects gets its own
 * connection to host:port; both directions pass through the faults and framing and are shown.
 * The plain socket options apply to the listening side, `--upstream-*` to the upstream side.
 */
export function registerProxyCommand(program: Command): void {
  const cmd = program
    .command('proxy')
    .description(
      'relay each client to its own upstream connection, through faults and framing, showing both directions',
    )
    .usage('<listen-port> <host> <port> [options]')
    .argument('<listen-port>', 'port to listen on (0 picks a free one); -s picks the address')
    .argument('<host>', 'upstream host')
    .argument('<port>', 'upstream port');
  addUpstreamOptions(addConnectionOptions(cmd)).action(
    async (listenPort: string, host: string, port: string, _opts, c: Command) => {
      const raw = mergedOptions(c);
      const options = resolveConnectionOptions(raw);
      checkProxyOptions(options);
      const spec: SessionSpec = {
        kind: 'proxy',
        host: options.source && unbracket(options.source),
        port: parsePort(listenPort, 'listen port'),
        options,
        upstream: {
          host: unbracket(host),
          port: parsePort(port, 'upstream port'),
          options: resolveUpstreamOptions(raw, options),
        },
      };
      if (spec.upstream!.port === 0) throw new UsageError('proxy: upstream port 0 cannot be connected to');
      if (spec.upstream!.host.trim() === '') throw new UsageError('proxy: the upstream host name is empty');
      // A bad --upstream-source is said now, not when the first client comes.
      const upstreamSource = spec.upstream!.options.source;
      if (upstreamSource !== undefined) await resolveHost(upstreamSource, 0, options.family, 'bind');
      process.exitCode = await startSession(spec);
    },
  );
}

/** Options that have no meaning for a relay are refused rather than ignored. */
function checkProxyOptions(o: ConnectionOptions): void {
  const bad: [boolean, string][] = [
    [
      o.sourcePort !== undefined,
      '-p/--source-port: the proxy listens on <listen-port>; the upstream side binds with --upstream-source-port',
    ],
    [o.broker, '--broker: each client of a proxy talks to its own upstream connection'],
    [o.sendOnly || o.recvOnly, '--send-only/--recv-only: a proxy reads no standard input'],
    [o.halfClose, '-N: a proxy reads no standard input; FINs are passed on as they come'],
  ];
  for (const [given, why] of bad) if (given) throw new UsageError(`proxy: ${why}`);
}
