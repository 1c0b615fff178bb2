import type { Channel, Direction } from '../net/channel.js';
import { bootRelay, canRelay, type FdRelay, type RelayTapUse } from '../net/fd-relay.js';
import { TcpChannel } from '../net/tcp-channel.js';
import type { ConnectionOptions } from '../options/connection-options.js';
import type { PipeOutput } from './output.js';
import type { PipeIo } from './stdio.js';

/**
 * Pipe mode's fast paths: worker threads (FdRelay, Linux) move bytes between one TCP connection
 * and standard output (splice) or input (read/write). Only where nothing in the process needs to
 * see the bytes in JavaScript (`observed`: --record, --fault), and not for a test's stream, which
 * has no descriptor. --pcap and -x keep the workers, which hand them each chunk (TapsFor).
 * listen -k uses a worker only for the received bytes of a client while it is the only one
 * (solo-relay.ts): standard input goes to every client, which takes JavaScript, and two writers
 * of standard output at once could split a chunk. --broker passes each client's bytes to the
 * others: they all go through JavaScript. The idle timer (-i) keeps them: the workers stamp the time of each
 * move, which the channel's timer reads (net/idle-timer.ts). `SOCKREPL_FAST_PATH=0` turns them
 * off, to compare the two paths (bench/pipe.mjs, tests).
 */
export interface PipeRelays {
  received?: FdRelay;
  stdin?: FdRelay;
}

type Options = Pick<ConnectionOptions, 'sendOnly' | 'recvOnly' | 'udp' | 'tls' | 'proxy' | 'crlf' | 'waitMs'>;

/**
 * The taps a relay worker moving `dir` carries: --pcap's packet writer, -x's dumper. Asked for at
 * the moment the worker takes the direction over (the dumper hands it what it holds then).
 */
export type TapsFor = (dir: Direction) => RelayTapUse[];

/** Which directions may move on a relay worker. */
export interface RelayPlan {
  received: boolean;
  stdin: boolean;
}

/**
 * Where a worker may move the bytes. Standard input from a terminal or a character device
 * (/dev/null, /dev/zero) keeps the ordinary path, where a worker would not pay for itself.
 */
export function planRelays(io: PipeIo, options: Options, observed: boolean): RelayPlan {
  // TLS bytes must pass through OpenSSL in this process; a proxy's reply may leave bytes in Node's buffer.
  if (observed || options.udp || options.tls?.enabled || options.proxy || !fastPathAllowed())
    return { received: false, stdin: false };
  return {
    // -w counts idle time after standard input ends from the channel's stats: reads go through Node.
    received:
      !options.sendOnly && options.waitMs === undefined && io.stdout === process.stdout && canRelay(1, true),
    // -C rewrites what standard input sends: it must pass through JavaScript.
    stdin: !options.recvOnly && !options.crlf && io.stdin === process.stdin && canRelay(0, false),
  };
}

/** False when `SOCKREPL_FAST_PATH=0` keeps every byte on the ordinary path. */
export function fastPathAllowed(): boolean {
  return process.env.SOCKREPL_FAST_PATH !== '0';
}

/**
 * Boots the workers the connection to come may use, now, so that they are ready when it opens:
 * the listener's first bytes then wait for no thread to start (its wait for a client hides the
 * boot). A client's own connection starts on the ordinary path instead (bulk-upgrade.ts).
 */
export function bootRelays(plan: RelayPlan): PipeRelays {
  return {
    received: plan.received ? bootRelay('splice') : undefined,
    stdin: plan.stdin ? bootRelay('copy') : undefined,
  };
}

/**
 * Received bytes go to standard output by the booted relay; false: use 'data' events instead.
 * Taps (--pcap, -x) see every chunk on the worker, which then copies instead of splicing.
 */
export function relayReceived(
  channel: Channel,
  relays: PipeRelays,
  out: PipeOutput,
  io: PipeIo,
  tapsFor?: TapsFor,
): boolean {
  if (!relays.received || !(channel instanceof TcpChannel) || channel.tls) return false;
  startReceived(channel, relays.received, out, io, tapsFor, '');
  return true;
}

/** Hands `channel`'s received bytes to `relay` with its taps, and says so (`why`: after the path). */
export function startReceived(
  channel: TcpChannel,
  relay: FdRelay,
  out: PipeOutput,
  io: PipeIo,
  tapsFor: TapsFor | undefined,
  why: string,
): void {
  const taps = tapsFor?.('in') ?? [];
  for (const tap of taps) relay.addTap(tap);
  channel.relayReadsInto(1, (code) => out.failed(code), relay);
  debug(
    io,
    taps.length > 0
      ? `received bytes go to stdout on a worker thread, copied (not spliced) so that ${names(taps)} ${taps.length > 1 ? 'see' : 'sees'} them${why}`
      : `received bytes go to stdout by splice(2) on a worker thread${why}`,
  );
}

/** Standard input goes to the connection by the booted relay; `onEnd` once all of it is in the socket. */
export function relayStdin(
  channel: Channel,
  relays: PipeRelays,
  io: PipeIo,
  onEnd: () => void,
  tapsFor?: TapsFor,
): boolean {
  if (!relays.stdin || !(channel instanceof TcpChannel) || channel.tls) return false;
  startStdin(channel, relays.stdin, io, onEnd, tapsFor, '');
  return true;
}

/** Hands sending standard input on `channel` to `relay` with its taps, and says so. */
export function startStdin(
  channel: TcpChannel,
  relay: FdRelay,
  io: PipeIo,
  onEnd: () => void,
  tapsFor: TapsFor | undefined,
  why: string,
): void {
  const taps = tapsFor?.('out') ?? [];
  for (const tap of taps) relay.addTap(tap);
  channel.relaySendsFrom(0, onEnd, relay);
  const tapped = taps.length > 0 ? `, which hands each chunk to ${names(taps)}` : '';
  debug(io, `stdin goes to the socket on a worker thread${tapped}${why}`);
}

const names = (taps: RelayTapUse[]) => taps.map((t) => t.name).join(' and ');

export function debug(io: PipeIo, text: string): void {
  if (process.env.SOCKREPL_DEBUG) io.stderr.write(`sockrepl: debug: ${text}\n`);
}
