import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import type { ConnectionOptions } from '../cli/connection-options.js';
import { UsageError } from '../errors.js';
import type { Channel, Direction } from '../net/channel.js';
import type { PipeIo } from './stdio.js';

export interface HexTap {
  write(dir: Direction, channel: Channel, chunk: Uint8Array): void;
  close(): Promise<void>;
}

/**
 * `-x, --hex [file]`: a direction-marked hex dump of every chunk, to standard error or a file.
 * The bytes on standard output are never touched.
 */
export async function openHexTap(
  options: Pick<ConnectionOptions, 'hex' | 'encoding'>,
  io: PipeIo,
): Promise<HexTap | undefined> {
  if (options.hex === undefined) return undefined;
  // Loaded only when asked for: plain pipe mode stays free of the codec code.
  const { formatTrafficDump } = await import('../codec/traffic-dump.js');
  const out: Writable = options.hex === true ? io.stderr : await openFile(options.hex);
  return {
    write(dir, channel, chunk) {
      out.write(
        formatTrafficDump(
          { dir, conn: channel.id, time: new Date(), bytes: chunk },
          { encoding: options.encoding },
        ),
      );
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
