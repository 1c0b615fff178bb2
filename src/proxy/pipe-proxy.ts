import { EXIT } from '../errors.js';
import type { FaultController } from '../fault/fault-controller.js';
import { openHexTap } from '../pipe/hex-tap.js';
import { type PipeIo, processIo } from '../pipe/stdio.js';
import { VerboseLog } from '../pipe/verbose.js';
import type { SessionSpec } from '../session/session-spec.js';
import { startProxy } from './proxy.js';

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
  const log = new VerboseLog(io.stderr, o.verbose);
  const say = (text: string, level: 'info' | 'warn' | 'error', conn?: number) => {
    const line = conn === undefined ? text : `Connection ${conn}: ${text}`;
    if (level === 'error') io.stderr.write(`sockrepl: ${line}\n`);
    else log.line(line);
  };
  let faults: FaultController | undefined;
  if (o.fault.length > 0) {
    const { createFaults } = await import('../fault/create-faults.js');
    faults = await createFaults(o, (text, level, conn) => say(`fault: ${text}`, level, conn));
    log.line(`Faults: ${faults.summary()}; ${faults.seedLine()}`);
  }
  // Opened before listening: a client that connects at once must find the tap ready.
  const tap = await openHexTap(o, io);
  const proxy = await startProxy({ host: spec.host, port: spec.port, listen: o, upstream, faults, log: say });
  proxy.on('channel', (client) => {
    log.received(client.remote);
    if (tap) {
      client.on('data', (chunk) => tap.write('in', client, chunk));
      client.on('sent', (chunk) => tap.write('out', client, chunk));
    }
    client.on('close', (reason) => log.closed(client.remote, reason));
  });
  proxy.on('refused', (peer, why) => log.refused(peer, why));
  proxy.on('error', (err) => io.stderr.write(`sockrepl: ${err.message}\n`));
  log.listening(proxy.address);
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
  return EXIT.ok;
}
