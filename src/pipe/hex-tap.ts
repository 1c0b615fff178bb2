import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { bestEffort, failureCode, isDropped, writeBestEffort } from '../best-effort.js';
import { UsageError } from '../errors.js';
import type { Channel, Direction } from '../net/channel.js';
import type { ConnectionOptions } from '../options/connection-options.js';
import type { PipeIo } from './stdio.js';

export interface HexTap {
  write(dir: Direction, channel: Channel, chunk: Uint8Array): void;
  close(): Promise<void>;
}

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
  return {
    write(dir, channel, chunk) {
      if (!watched.has(channel)) {
        watched.add(channel);
        channel.once('close', () => dumper.forget(channel.id));
      }
      if (isDropped(out)) return;
      writeBestEffort(out, dumper.format({ dir, conn: channel.id, time: new Date(), bytes: chunk }));
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
