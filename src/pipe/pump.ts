import type { Channel } from '../net/channel.js';
import { drainOrClose } from '../net/wait-for-drain.js';
import type { PipeOutput } from './output.js';

/** The largest UDP payload over IPv4/IPv6; a larger stdin read becomes several datagrams. */
const MAX_DATAGRAM = { IPv4: 65_507, IPv6: 65_527 } as const;

/** Writes one incoming chunk to standard output, pausing the channel while the output is full. */
export function writeOutput(channel: Channel, out: PipeOutput, chunk: Buffer): void {
  if (!out.write(chunk)) {
    channel.pause();
    out.onDrain(() => channel.resume());
  }
}

/** Whatever the data came from: standard input, or a client being relayed (--broker). */
export interface Pausable {
  pause(): unknown;
  resume(): unknown;
}

/**
 * Sends one chunk of standard input to every target, then pauses input until each target that
 * reported a full buffer has drained. Memory stays bounded whatever the speed of the peers.
 * `done` runs once every write of the chunk has completed, when its buffer may be reused.
 */
export function sendToAll(
  input: Pausable,
  targets: Iterable<Channel>,
  chunk: Buffer,
  done: () => void = () => {},
): void {
  let waiting = 0;
  let writes = 1;
  const written = () => {
    if (--writes === 0) done();
  };
  for (const channel of targets) {
    if (channel.writeClosed) continue;
    if (!sendChunk(channel, chunk, () => writes++, written)) {
      waiting++;
      // One shared wait per channel, however many chunks or sources it refused (drainOrClose).
      void drainOrClose(channel).then(() => {
        if (--waiting === 0) input.resume();
      });
    }
  }
  if (waiting > 0) input.pause();
  written();
}

/**
 * Sends a borrowed chunk (a view of a reused read buffer) to other channels: the sockets may queue
 * it, so they get a copy.
 */
export function relay(source: Channel, targets: Channel[], chunk: Buffer): void {
  if (targets.length > 0) sendToAll(source, targets, Buffer.from(chunk));
}

function sendChunk(channel: Channel, chunk: Buffer, starting: () => void, written: () => void): boolean {
  const family = channel.local.family;
  const max = channel.proto !== 'udp' || family === 'unix' ? chunk.length : MAX_DATAGRAM[family];
  let ok = true;
  for (let at = 0; at < chunk.length; at += max) {
    starting();
    ok = channel.send(chunk.subarray(at, at + max), written) && ok;
  }
  return ok;
}
