import type { Command } from 'commander';
import { parsePort } from '../codec/units.js';
import { UsageError } from '../errors.js';
import { resolveHost, unbracket } from '../net/resolve.js';
import type { SessionSpec } from '../session/session-spec.js';
import { addOptionFlagsOnUse } from './option-flags.js';
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
  addOptionFlagsOnUse(cmd, 'proxy').action(
    async (listenPort: string, host: string, port: string, _opts, c: Command) => {
      const { commandOptions, upstreamOptions } = await import('./command-options.js');
      const options = commandOptions(c, 'proxy');
      const spec: SessionSpec = {
        kind: 'proxy',
        host: options.source && unbracket(options.source),
        port: parsePort(listenPort, 'listen port'),
        options,
        upstream: {
          host: unbracket(host),
          port: parsePort(port, 'upstream port'),
          options: upstreamOptions(c, options),
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
