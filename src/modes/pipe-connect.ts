import { EXIT } from '../errors.js';
import type { Channel } from '../net/channel.js';
import { openConnection } from '../net/open.js';
import type { ConnectionOptions } from '../options/connection-options.js';
import { EofPolicy } from '../pipe/eof-policy.js';
import { PipeInput } from '../pipe/input.js';
import { PipeOutput } from '../pipe/output.js';
import { sendToAll, writeOutput } from '../pipe/pump.js';
import { bootRelays, relayReceived, relayStdin } from '../pipe/relay-path.js';
import { drained, type PipeIo, processIo } from '../pipe/stdio.js';
import { VerboseLog } from '../pipe/verbose.js';
import { openPipeExtras } from './pipe-extras.js';

/** `sockrepl host port` without a terminal: a netcat. Resolves with the exit code. */
export async function runPipeConnect(
  host: string,
  port: number,
  options: ConnectionOptions,
  io: PipeIo = processIo(),
): Promise<number> {
  const log = new VerboseLog(io.stderr, options.verbose);
  const { faults, tap, recorder, capture } = await openPipeExtras(options, io, log, {
    kind: 'connect',
    host,
    port,
  });
  // Bytes that nothing here needs to see may skip JavaScript (relay-path.ts).
  // --pcap rides along on the workers when its file takes writes from several threads.
  const observed = Boolean(faults || tap || recorder || (capture && !capture.file.sharable));
  const relays = bootRelays(io, options, observed);
  const raw: Channel = await openConnection(host, port, { ...options, borrowedReads: !options.udp });
  log.connected(host, port, raw.proto);
  log.secured(raw.remote, raw.tls);
  const channel: Channel = faults ? faults.wrap(raw) : raw;
  recorder?.attach(channel);
  const captured = capture?.begin(raw, { initiator: 'out', label: `connect ${host} ${port}` });
  // With faults, the dump shows what really left (pieces, corrupted bytes), not what stdin gave.
  if (faults && tap) channel.on('sent', (chunk) => tap.write('out', channel, chunk));
  const policy = new EofPolicy(options, () => [channel]);
  let input: PipeInput | undefined;

  const code = await new Promise<number>((resolve) => {
    const out = new PipeOutput(io.stdout, () => void channel.close());
    const relayed = relayReceived(channel, relays, out, io, () => captured?.relayTap('in'));
    captured?.follow({ in: relayed });
    if (!relayed) {
      channel.on('data', (chunk) => {
        tap?.write('in', channel, chunk);
        if (!options.sendOnly) writeOutput(channel, out, chunk);
      });
    }

    channel.on('end', () => {
      if (!policy.peerEnded(channel)) log.line('Peer sent FIN; still sending standard input until it ends');
    });
    channel.on('close', (reason, error) => {
      log.closed(channel.remote, reason);
      if (error && (reason === 'reset' || reason === 'error')) {
        io.stderr.write(`sockrepl: ${error.message}\n`);
        resolve(EXIT.network);
      } else {
        resolve(EXIT.ok);
      }
    });
    if (options.recvOnly) return;
    if (
      relayStdin(
        channel,
        relays,
        io,
        () => policy.stdinEnded(),
        () => captured?.relayTap('out'),
      )
    )
      return;
    input = new PipeInput(
      io.stdin,
      (chunk, done) => {
        if (!faults) tap?.write('out', channel, chunk);
        sendToAll(input!, [channel], chunk, done);
      },
      () => policy.stdinEnded(),
    );
  });

  policy.cancel();
  input?.close();
  await tap?.close();
  recorder?.stop();
  capture?.close();
  await drained(io.stdout);
  return code;
}
