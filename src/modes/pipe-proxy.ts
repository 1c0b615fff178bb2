import { EXIT, UsageError } from '../errors.js';
import { exposureWarning } from '../options/exposure.js';
import { type PipeIo, processIo } from '../pipe/stdio.js';
import { VerboseLog } from '../pipe/verbose.js';
import { startProxy } from '../proxy/proxy.js';
import type { SessionSpec } from '../session/session-spec.js';
import { openPipeExtras } from './pipe-extras.js';
import { wireChannel } from './wire-channel.js';

/** How long a stopping proxy waits for its connections to close gracefully. */
const STOP_GRACE_MS = 2000;

/**
 * `sockrepl proxy` without a terminal: a relay. It reads no standard input and writes no
 * traffic to standard output; `-v` says what happens on standard error (clients, upstream
 * connections, FINs and RSTs passed on, faults), `-x` dumps both directions of every client.
 * Runs until interrupted (SIGINT, SIGTERM), then closes every connection and exits 0.
 */
export async function runPipeProxy(spec: SessionSpec, io: PipeIo = processIo()): Promise<number> {
  const o = spec.options;
  const upstream = spec.upstream!;
  if (o.record)
    throw new UsageError(
      '--record: the pipe-mode proxy does not record; record a proxy with --json or the screen (--tui)',
    );
  const log = new VerboseLog(io.stderr, o.verbose);
  const say = (text: string, level: 'info' | 'warn' | 'error', conn?: number) => {
    const line = conn === undefined ? text : `Connection ${conn}: ${text}`;
    if (level === 'error') io.stderr.write(`sockrepl: ${line}\n`);
    else log.line(line);
  };
  // As in pipe mode's connect and listen: --frame refused, -e checked, the faults and the -x tap
  // ready before listening, so a client that connects at once finds them.
  const { faults, tap, capture } = await openPipeExtras(o, io, log, {
    kind: 'listen',
    host: spec.host,
    port: spec.port,
  });
  const proxy = await startProxy({ host: spec.host, port: spec.port, listen: o, upstream, faults, log: say });
  // Both legs of every client into the capture: the client's connection and its upstream one.
  if (capture) {
    proxy.upstreamWatchers.add((client, up) =>
      capture.attach(up, { initiator: 'out', label: `upstream of client connection ${client.id}` }),
    );
  }
  proxy.on('channel', (client) => {
    log.received(client.remote);
    capture?.attach(wireChannel(client), { initiator: 'in', label: 'proxy client' });
    if (tap) {
      client.on('data', (chunk) => tap.write('in', client, chunk));
      client.on('sent', (chunk) => tap.write('out', client, chunk));
    }
    client.on('close', (reason) => log.closed(client.remote, reason));
  });
  proxy.on('refused', (peer, why) => log.refused(peer, why));
  proxy.on('error', (err) => io.stderr.write(`sockrepl: ${err.message}\n`));
  log.listening(proxy);
  // An open relay is worth a line even without -v (--allow/--allowfile say who may connect).
  const restricted = Boolean(o.allow?.length || o.allowFiles?.length);
  const exposed = restricted
    ? undefined
    : exposureWarning(
        proxy.addresses.map((a) => a.address),
        upstream,
      );
  if (exposed) io.stderr.write(`sockrepl: ${exposed}\n`);
  log.line(`Forwarding each client to ${upstream.host} ${upstream.port} [${proxy.proto}]`);

  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      log.line(`Stopping (${signal})`);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  const grace = new Promise<void>((resolve) => setTimeout(resolve, STOP_GRACE_MS).unref());
  await Promise.race([proxy.close(), grace]);
  await tap?.close();
  capture?.close();
  return EXIT.ok;
}
