import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { bestEffort, failureCode, isDropped, writeBestEffort } from '../best-effort.js';
import { UsageError } from '../errors.js';
import type { Channel, Direction } from '../net/channel.js';
import type { RelayTapUse } from '../net/fd-relay.js';
import type { ConnectionOptions } from '../options/connection-options.js';
import type { HexRelayMessage, HexRelayTapConfig } from './hex-relay-tap.js';
import type { PipeIo } from './stdio.js';

export interface HexTap {
  write(dir: Direction, channel: Channel, chunk: Uint8Array): void;
  /**
   * A tap for the relay worker that moves `dir` of `channel` from now on (pipe mode's fast path):
   * the worker formats each chunk's dump (hex-relay-tap.ts), and this writes it in turn with the
   * rest. The dump is the same as `write` would give the same chunks.
   */
  relayTap(dir: Direction, channel: Channel): RelayTapUse;
  close(): Promise<void>;
}

/** The module a relay worker loads to dump one direction (RelayTapSpec of net/). */
const HEX_RELAY_TAP = new URL('./hex-relay-tap.js', import.meta.url).href;

/**
 * `-x, --hex [file]`: a direction-marked hex dump of every chunk, to standard error or a file.
 * Each connection and direction is dumped as one stream, so a character split between two
 * chunks shows whole. The bytes on standard output are never touched.
 */
export async function openHexTap(
  options: Pick<ConnectionOptions, 'hex' | 'encoding'>,
  io: PipeIo,
): Promise<HexTap | undefined> {
  if (options.hex === undefined) return undefined;
  // Loaded only when asked for: plain pipe mode stays free of the codec code.
  const { TrafficDumper } = await import('../codec/traffic-dump.js');
  const dumper = new TrafficDumper({ encoding: options.encoding });
  const file = options.hex === true ? undefined : options.hex;
  // The dump is a diagnostic: a file that fails (a full disk) stops the dump, said once on
  // standard error, and never the connection; standard error failing is dropped quietly.
  const out: Writable =
    file === undefined
      ? bestEffort(io.stderr)
      : bestEffort(await openFile(file), (err) =>
          writeBestEffort(
            io.stderr,
            `sockrepl: --hex ${file}: ${failureCode(err)}: the hex dump stops here\n`,
          ),
        );
  // Channels whose close is watched, to drop the bytes of a character they left unfinished.
  const watched = new WeakSet<Channel>();
  const watch = (channel: Channel) => {
    if (watched.has(channel)) return;
    watched.add(channel);
    channel.once('close', () => dumper.forget(channel.id));
  };
  return {
    write(dir, channel, chunk) {
      watch(channel);
      if (isDropped(out)) return;
      // Bytes, not a string: turning a dump of non-ASCII text into a string and back cost more than
      // formatting it.
      writeBestEffort(out, dumper.formatBytes({ dir, conn: channel.id, time: new Date(), bytes: chunk }));
    },
    relayTap(dir, channel) {
      watch(channel);
      const config: HexRelayTapConfig = {
        conn: channel.id,
        dir,
        encoding: options.encoding,
        // The worker goes on from a character the chunks dumped here left unfinished.
        held: dumper.take(dir, channel.id),
        pending: new SharedArrayBuffer(4),
      };
      const pending = new Int32Array(config.pending);
      return {
        name: '-x',
        spec: { module: HEX_RELAY_TAP, config },
        receive(message) {
          const dump = message as HexRelayMessage;
          // The direction comes back to this dumper (listen -k): it goes on from what the worker held.
          if ('held' in dump) return dumper.hold(dir, channel.id, dump.held);
          writeBestEffort(out, Buffer.from(dump.text, dump.offset, dump.length), () => {
            Atomics.sub(pending, 0, dump.length);
            Atomics.notify(pending, 0);
          });
        },
      };
    },
    close() {
      if (out === io.stderr || out.closed) return Promise.resolve();
      // 'close' comes after the last write is on disk, and also after a failure.
      return new Promise((resolve) => {
        out.once('close', () => resolve());
        out.end();
      });
    },
  };
}

function openFile(path: string): Promise<Writable> {
  return new Promise((resolve, reject) => {
    const stream = createWriteStream(path);
    stream.once('open', () => resolve(stream));
    stream.once('error', (err) => reject(new UsageError(`--hex ${path}: ${err.message}`)));
  });
}
