import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
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
  const out: Writable = options.hex === true ? io.stderr : await openFile(options.hex);
  // Channels whose close is watched, to drop the bytes of a character they left unfinished.
  const watched = new WeakSet<Channel>();
  return {
    write(dir, channel, chunk) {
      if (!watched.has(channel)) {
        watched.add(channel);
        channel.once('close', () => dumper.forget(channel.id));
      }
      out.write(dumper.format({ dir, conn: channel.id, time: new Date(), bytes: chunk }));
    },
    close() {
      if (out === io.stderr) return Promise.resolve();
      return new Promise((resolve) => out.end(resolve));
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
