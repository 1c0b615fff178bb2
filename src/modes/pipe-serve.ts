import { EXIT } from '../errors.js';
import type { Channel } from '../net/channel.js';
import { openConnection } from '../net/open.js';
import type { ProgramSpec } from '../net/program.js';
import type { PipeIo } from '../pipe/stdio.js';
import { processIo } from '../pipe/stdio.js';
import { VerboseLog } from '../pipe/verbose.js';
import { dialerFor, startProxy } from '../proxy/proxy.js';
import { ProxyLink } from '../proxy/proxy-link.js';
import type { SessionSpec } from '../session/session-spec.js';
import { execWarning } from './exec-warning.js';
import { openPipeExtras } from './pipe-extras.js';
import { wireChannel } from './wire-channel.js';

/** How long a stopping listener waits for its programs to end before it leaves them to the reaper. */
const STOP_GRACE_MS = 5000;

/**
 * `listen -e/-c` and `connect -e/-c` without a terminal (ncat's exec mode): every connection's
 * bytes go to and from a program of its own, started for it; standard input and output are not
 * used. Without -k the first client is served and then the listener exits; with -k it serves
 * until interrupted (SIGINT, SIGTERM). `-v` says what happens, `-x` dumps each connection.
 */
export async function runPipeServe(
  spec: SessionSpec,
  program: ProgramSpec,
  io: PipeIo = processIo(),
): Promise<number> {
  const o = spec.options;
  const log = new VerboseLog(io.stderr, o.verbose);
  const say = (text: string, level: 'info' | 'warn' | 'error', conn?: number) => {
    const line = conn === undefined ? text : `Connection ${conn}: ${text}`;
    if (level === 'error') io.stderr.write(`sockrepl: ${line}\n`);
    else log.line(line);
  };
  const target = {
    kind: spec.kind === 'connect' ? 'connect' : 'listen',
    host: spec.host,
    port: spec.port,
  } as const;
  const { faults, tap, capture } = await openPipeExtras({ ...o, record: undefined }, io, log, target);
  const watch = (client: Channel) => {
    capture?.attach(wireChannel(client), {
      initiator: spec.kind === 'connect' ? 'out' : 'in',
      label: spec.kind === 'connect' ? `connect ${spec.host} ${spec.port}` : 'accepted',
    });
    if (!tap) return;
    client.on('data', (chunk) => tap.write('in', client, chunk));
    client.on('sent', (chunk) => tap.write('out', client, chunk));
  };

  if (spec.kind === 'connect') {
    const raw = await openConnection(spec.host!, spec.port, o);
    log.connected(spec.host!, spec.port, raw.proto);
    const client = faults ? faults.wrap(raw) : raw;
    watch(client);
    let failed = false;
    client.on('close', (reason, error) => {
      if (error && (reason === 'reset' || reason === 'error')) {
        io.stderr.write(`sockrepl: ${error.message}\n`);
        failed = true;
      }
    });
    const link = new ProxyLink(client, dialerFor({ program }), say);
    await link.start();
    await link.done;
    await tap?.close();
    capture?.close();
    return failed ? EXIT.network : EXIT.ok;
  }

  const proxy = await startProxy({
    host: spec.host,
    port: spec.port,
    listen: o,
    upstream: { program },
    faults,
    log: say,
  });
  const warning = execWarning(proxy.address, o);
  if (warning) io.stderr.write(`sockrepl: ${warning}\n`);
  log.listening(proxy.address);
  proxy.on('refused', (peer, why) => log.refused(peer, why));
  proxy.on('error', (err) => io.stderr.write(`sockrepl: ${err.message}\n`));
  await new Promise<void>((resolve) => {
    const stop = (signal?: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      if (signal) log.line(`Stopping (${signal})`);
      resolve();
    };
    proxy.on('channel', (client) => {
      log.received(client.remote);
      watch(client);
      client.on('close', (reason) => {
        log.closed(client.remote, reason);
        if (!o.keepOpen) stop();
      });
      // ncat without -k: one client, then done.
      if (!o.keepOpen) proxy.stopAccepting();
    });
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  const grace = new Promise<void>((resolve) => setTimeout(resolve, STOP_GRACE_MS).unref());
  await Promise.race([proxy.close(), grace]);
  await tap?.close();
  capture?.close();
  return EXIT.ok;
}
