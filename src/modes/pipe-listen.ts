import { EXIT } from '../errors.js';
import type { Channel } from '../net/channel.js';
import type { Listener } from '../net/listener.js';
import { openListener } from '../net/open.js';
import type { ConnectionOptions } from '../options/connection-options.js';
import { exposureWarning } from '../options/exposure.js';
import { withCrlf } from '../pipe/crlf-input.js';
import { EofPolicy } from '../pipe/eof-policy.js';
import { PipeInput } from '../pipe/input.js';
import { PipeOutput } from '../pipe/output.js';
import { relay, sendToAll, writeOutput } from '../pipe/pump.js';
import { bootRelays, planRelays, relayReceived, relayStdin } from '../pipe/relay-path.js';
import { SoloRelays } from '../pipe/solo-relay.js';
import { drained, type PipeIo, processIo } from '../pipe/stdio.js';
import { VerboseLog } from '../pipe/verbose.js';
import { openPipeExtras, relayTaps } from './pipe-extras.js';
import { wireChannel } from './wire-channel.js';

/**
 * `sockrepl listen [host] port` without a terminal. Without -k: serve one client, then exit when it
 * ends. With -k: keep accepting; standard input goes to every client (UDP: to the latest sender);
 * with --broker each client's data is relayed to all the others.
 */
export async function runPipeListen(
  host: string | undefined,
  port: number,
  options: ConnectionOptions,
  io: PipeIo = processIo(),
): Promise<number> {
  const log = new VerboseLog(io.stderr, options.verbose);
  const keepOpen = options.keepOpen || options.broker;
  // Each client's channel comes wrapped in the faults, if any.
  const { faults, tap, recorder, capture } = await openPipeExtras(options, io, log, {
    kind: 'listen',
    host,
    port,
  });
  // -k: a crowd of clients, most of them idle or chatty; each moves onto the reused read buffer only
  // once it sends in bulk (TcpChannelOptions.borrowedReads).
  const borrowedReads = options.udp ? false : keepOpen ? 'when-busy' : true;
  const bound: Listener = await openListener(host, port, { ...options, borrowedReads });
  const listener: Listener = faults ? faults.wrapListener(bound) : bound;
  // Bytes that nothing here needs to see may skip JavaScript (relay-path.ts): the one client's from
  // the first byte; with -k a client's received bytes while it is the only one (solo-relay.ts).
  const plan = planRelays(io, options, Boolean(faults || recorder || (capture && !capture.file.sharable)));
  const relays = bootRelays(keepOpen ? { received: false, stdin: false } : plan);
  log.listening(listener);
  log.removedStale(listener.address, listener.removedStale);
  const exposed =
    options.allow?.length || options.allowFiles?.length
      ? undefined
      : exposureWarning(listener.addresses.map((a) => a.address));
  if (exposed) log.line(exposed);
  log.generatedCertificate(listener.tlsFingerprint);
  const clients = new Set<Channel>();
  let latest: Channel | undefined;
  const targets = () => (listener.proto === 'udp' ? (latest && !latest.closed ? [latest] : []) : clients);

  let input: PipeInput | undefined;
  let held: { chunk: Buffer; done: () => void } | undefined;
  let sendHeld = () => {};
  let solo: SoloRelays | undefined;
  const code = await new Promise<number>((resolve) => {
    const finish = (exitCode: number) => {
      // A pending -q timer must not hold the program open once it is done.
      policy.cancel();
      void listener.close().then(() => resolve(exitCode));
    };
    const out = new PipeOutput(io.stdout, () => finish(EXIT.ok));
    solo = options.keepOpen && !options.broker && plan.received ? new SoloRelays(io, out) : undefined;
    const policy = new EofPolicy(
      options,
      () => [...clients],
      () => finish(EXIT.ok),
    );
    listener.on('refused', (peer, why) => log.refused(peer, why));
    listener.on('error', (err) => {
      io.stderr.write(`sockrepl: ${err.message}\n`);
      if (!keepOpen) finish(EXIT.network);
    });
    listener.on('channel', (channel) => {
      // Before saying so: once "Connection received" is out, no second client can connect (nc).
      if (!keepOpen) listener.stopAccepting();
      log.received(channel.remote);
      log.secured(channel.remote, channel.tls);
      recorder?.attach(channel);
      const captured = capture?.begin(wireChannel(channel), { initiator: 'in', label: 'accepted' });
      // With faults, the dump shows what really left (pieces, corrupted bytes), not what stdin gave.
      if (faults && tap) channel.on('sent', (chunk) => tap.write('out', channel, chunk));
      clients.add(channel);
      latest = channel;
      const tapsFor = relayTaps(channel, captured, tap);
      // Read once another client's worker has handed standard output back (solo-relay.ts).
      const wait = solo?.joined(channel, tapsFor);
      if (wait) {
        channel.pause();
        void wait.then(() => channel.resume());
      }
      relayStdin(channel, relays, io, () => policy.stdinEnded(), tapsFor);
      const relayed = relayReceived(channel, relays, out, io, tapsFor);
      captured?.follow({ in: relayed });
      if (!relayed)
        channel.on('data', (chunk) => {
          latest = channel;
          tap?.write('in', channel, chunk);
          // As ncat's broker: a send-only or receive-only listener passes nothing between clients
          // (relaying is sending what was received); its standard output still shows what came in.
          if (options.broker && !options.sendOnly && !options.recvOnly)
            relay(
              channel,
              [...clients].filter((c) => c !== channel),
              chunk,
            );
          if (options.sendOnly) return;
          writeOutput(channel, out, chunk);
          solo?.passed(channel, chunk.length);
        });
      channel.on('end', () => {
        if (!policy.peerEnded(channel)) log.line('Peer sent FIN; still sending standard input until it ends');
      });
      channel.on('close', (reason, error) => {
        clients.delete(channel);
        solo?.left(channel);
        log.closed(channel.remote, reason);
        const failed = error !== undefined && (reason === 'reset' || reason === 'error');
        if (failed) io.stderr.write(`sockrepl: ${error.message}\n`);
        if (!keepOpen) finish(failed ? EXIT.network : EXIT.ok);
      });
      policy.lateChannel(channel);
      if (clients.size === 1) {
        sendHeld();
        input?.resume();
      }
    });
    if (options.recvOnly || relays.stdin) return;
    const deliver = (chunk: Buffer, done: () => void) => {
      const to = [...targets()];
      if (!faults) for (const c of to) tap?.write('out', c, chunk);
      sendToAll(input!, to, chunk, done);
    };
    input = new PipeInput(
      io.stdin,
      withCrlf(options.crlf, (chunk, done) => {
        if ([...targets()].length > 0) return deliver(chunk, done);
        // No client to receive it (they all left): keep it for the next one, read no further.
        held = { chunk, done };
        input!.pause();
      }),
      () => policy.stdinEnded(),
    );
    // Nothing is read from standard input until a client is there to receive it.
    input.pause();
    sendHeld = () => {
      if (!held) return;
      const { chunk, done } = held;
      held = undefined;
      deliver(chunk, done);
    };
  });

  input?.close();
  solo?.dispose();
  await tap?.close();
  recorder?.stop();
  capture?.close();
  await drained(io.stdout);
  return code;
}
