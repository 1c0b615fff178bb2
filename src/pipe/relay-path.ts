import type { ConnectionOptions } from '../cli/connection-options.js';
import type { Channel } from '../net/channel.js';
import { canRelay } from '../net/fd-relay.js';
import { TcpChannel } from '../net/tcp-channel.js';
import type { PipeOutput } from './output.js';
import type { PipeIo } from './stdio.js';

/**
 * Pipe mode's fast paths: a worker thread (FdRelay, Linux) moves bytes between a TCP connection
 * and standard input or output. Callers use them only when nothing in the process needs to see the
 * bytes (no -x, --record, --fault) and there is one connection (no -k, --broker); the idle timer
 * (-i) counts only what Node reads and writes, so it keeps the ordinary path too, and so does a
 * test's stream, which has no descriptor. Each returns false where the ordinary path must serve.
 */
type Options = Pick<ConnectionOptions, 'idleTimeoutMs'>;

/** Received bytes go to standard output by splice(2), never through JavaScript. */
export function relayReceived(channel: Channel, out: PipeOutput, io: PipeIo, options: Options): boolean {
  if (!(channel instanceof TcpChannel) || options.idleTimeoutMs !== undefined) return false;
  if (io.stdout !== process.stdout || !canRelay(1, true)) return false;
  channel.relayReadsInto(1, (code) => out.failed(code));
  debug(io, 'received bytes go to stdout by splice(2) on a worker thread');
  return true;
}

/**
 * Whether standard input may go to a connection by relayStdin: not from a terminal or a character
 * device (/dev/null, /dev/zero), where a worker thread would not pay for itself.
 */
export function stdinRelayable(io: PipeIo, options: Options): boolean {
  return options.idleTimeoutMs === undefined && io.stdin === process.stdin && canRelay(0, false);
}

/**
 * Standard input (stdinRelayable) goes to the connection, read and written on a worker thread;
 * `onEnd` runs once all of it is in the socket.
 */
export function relayStdin(channel: Channel, io: PipeIo, onEnd: () => void): boolean {
  if (!(channel instanceof TcpChannel)) return false;
  channel.relaySendsFrom(0, onEnd);
  debug(io, 'stdin goes to the socket on a worker thread');
  return true;
}

function debug(io: PipeIo, text: string): void {
  if (process.env.SOCKREPL_DEBUG) io.stderr.write(`sockrepl: debug: ${text}\n`);
}
