import { EXIT } from '../errors.js';
import type { Channel } from '../net/channel.js';
import { openConnection, openProgram } from '../net/open.js';
import { describeArgv, describeExit, type ProgramSpec } from '../net/program.js';
import type { BorrowedReads } from '../net/tcp-channel-options.js';
import type { ConnectionOptions } from '../options/connection-options.js';
import { type BulkUpgrades, bulkUpgrades, stdinIsBulkFile } from '../pipe/bulk-upgrade.js';
import { withCrlf } from '../pipe/crlf-input.js';
import { EofPolicy } from '../pipe/eof-policy.js';
import { IdleAfterEof } from '../pipe/idle-after-eof.js';
import { PipeInput } from '../pipe/input.js';
import { PipeOutput } from '../pipe/output.js';
import { sendToAll, writeOutput } from '../pipe/pump.js';
import { bootRelays, planRelays, relayReceived, relayStdin } from '../pipe/relay-path.js';
import { drained, type PipeIo, processIo } from '../pipe/stdio.js';
import { VerboseLog } from '../pipe/verbose.js';
import { openPipeExtras, relayTaps } from './pipe-extras.js';

/** `sockrepl host port` without a terminal: a netcat. Resolves with the exit code. */
export async function runPipeConnect(
  host: string,
  port: number,
  options: ConnectionOptions,
  io: PipeIo = processIo(),
): Promise<number> {
  return runPipeChannel(
    async (log, borrowedReads) => {
      const raw = await openConnection(host, port, {
        ...options,
        borrowedReads: !options.udp && borrowedReads,
      });
      log.connected(host, port, raw.proto);
      log.secured(raw.remote, raw.tls);
      return raw;
    },
    { kind: 'connect', host, port },
    options,
    io,
  );
}

/**
 * `sockrepl exec CMD` without a terminal: standard input is the program's, its output ours (its
 * standard error too, unless --stderr says otherwise), as if it ran here directly; the end of
 * standard input closes its input.
 */
export async function runPipeExec(
  program: ProgramSpec,
  options: ConnectionOptions,
  io: PipeIo = processIo(),
): Promise<number> {
  const spec = { ...program, stderr: program.stderr ?? 'inherit' };
  if (ownStdio(spec, options, io)) {
    // Nothing here needs to see the bytes: the program reads and writes our descriptors itself.
    const log = new VerboseLog(io.stderr, options.verbose);
    const { runOnOwnStdio } = await import('../net/pipe-program.js');
    const exit = await runOnOwnStdio(spec, (pid) =>
      log.line(`Started ${describeArgv(spec.argv)} (pid ${pid})`),
    );
    log.line(`${describeArgv(spec.argv)} ${describeExit(exit)}`);
    return EXIT.ok;
  }
  return runPipeChannel(
    async (log) => {
      const raw = await openProgram(spec);
      log.line(`Started ${describeArgv(spec.argv)} (pid ${raw.program?.pid})`);
      return raw;
    },
    { kind: 'connect', host: undefined, port: 0 },
    { ...options, halfClose: true },
    io,
  );
}

/**
 * Whether `exec` may hand the program our own standard input and output: with nothing observing
 * the bytes (-x, --fault, --record, --stderr mark), no one-way or -q rule to apply, and real
 * descriptors (not a test's streams). It then behaves exactly as the channel path would.
 */
function ownStdio(spec: ProgramSpec, o: ConnectionOptions, io: PipeIo): boolean {
  if (spec.pty || spec.stderr === 'mark') return false;
  if (o.hex !== undefined || o.fault.length > 0 || o.record || o.pcap) return false;
  if (o.sendOnly || o.recvOnly || o.quitAfterMs !== undefined) return false;
  // What pipe mode refuses (--frame, an encoding with nothing to apply to) is refused by the other path.
  if (o.frame.length > 0 || o.encoding !== 'utf8') return false;
  return io.stdin === process.stdin && io.stdout === process.stdout && io.stderr === process.stderr;
}

async function runPipeChannel(
  open: (log: VerboseLog, borrowedReads: BorrowedReads) => Promise<Channel>,
  target: { kind: 'connect'; host: string | undefined; port: number },
  options: ConnectionOptions,
  io: PipeIo,
): Promise<number> {
  const log = new VerboseLog(io.stderr, options.verbose);
  const { faults, tap, recorder, capture } = await openPipeExtras(options, io, log, target);
  // Bytes that nothing here needs to see may skip JavaScript (relay-path.ts). -x rides along on
  // the workers, and so does --pcap when its file takes writes from several threads.
  const observed = Boolean(faults || recorder || (capture && !capture.file.sharable));
  const plan = planRelays(io, options, observed);
  // A capture follows each direction's path from the first byte: its workers boot now. Otherwise
  // the connection starts on the ordinary path and moves a bulk direction onto a worker later
  // (bulk-upgrade.ts), but for a large file on standard input, whose size is known now.
  const relays = bootRelays(capture ? plan : { received: false, stdin: plan.stdin && stdinIsBulkFile(io) });
  // A worker reading from the first byte needs the reused buffer at once. Otherwise the channel
  // moves onto it only once busy: a one-shot never loads the native library (TcpChannelOptions).
  const raw = await open(log, relays.received ? true : 'when-busy');
  const channel: Channel = faults ? faults.wrap(raw) : raw;
  const program = raw.program;
  void program?.exited.then((exit) => log.line(`${describeArgv(program.argv)} ${describeExit(exit)}`));
  recorder?.attach(channel);
  const captured = capture?.begin(raw, { initiator: 'out', label: `connect ${target.host} ${target.port}` });
  const tapsFor = relayTaps(raw, captured, tap);
  // With faults, the dump shows what really left (pieces, corrupted bytes), not what stdin gave.
  if (faults && tap) channel.on('sent', (chunk) => tap.write('out', channel, chunk));
  const idle = new IdleAfterEof(options.waitMs, () => [channel]);
  const policy = new EofPolicy(options, () => [channel]);
  let input: PipeInput | undefined;
  let upgrades: BulkUpgrades | undefined;

  const code = await new Promise<number>((resolve) => {
    const out = new PipeOutput(io.stdout, () => void channel.close());
    const stdinEnded = () => {
      policy.stdinEnded();
      idle.start();
    };
    if (!capture) upgrades = bulkUpgrades(plan, channel, io, out, () => input, stdinEnded, tapsFor);
    const relayed = relayReceived(channel, relays, out, io, tapsFor);
    captured?.follow({ in: relayed });
    if (!relayed) {
      channel.on('data', (chunk) => {
        tap?.write('in', channel, chunk);
        if (options.sendOnly) return;
        // --stderr mark: what the program wrote to its standard error goes to ours.
        if (program?.isStderr(chunk)) io.stderr.write(chunk);
        else {
          writeOutput(channel, out, chunk);
          upgrades?.received?.(chunk.length);
        }
      });
    }

    channel.on('end', () => {
      if (!policy.peerEnded(channel)) log.line('Peer sent FIN; still sending standard input until it ends');
    });
    channel.on('close', (reason, error) => {
      if (!program) log.closed(channel.remote, reason);
      if (error && (reason === 'reset' || reason === 'error')) {
        io.stderr.write(`sockrepl: ${error.message}\n`);
        resolve(EXIT.network);
      } else {
        resolve(EXIT.ok);
      }
    });
    if (options.recvOnly) return;
    if (relayStdin(channel, relays, io, stdinEnded, tapsFor)) return;
    input = new PipeInput(
      io.stdin,
      withCrlf(options.crlf, (chunk, done) => {
        if (!faults) tap?.write('out', channel, chunk);
        sendToAll(input!, [channel], chunk, upgrades?.stdin?.(chunk.length, done) ?? done);
      }),
      stdinEnded,
    );
  });

  policy.cancel();
  idle.cancel();
  upgrades?.dispose();
  input?.close();
  await tap?.close();
  recorder?.stop();
  capture?.close();
  await drained(io.stdout);
  return code;
}
