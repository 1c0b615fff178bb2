import { hexdump } from './hexdump.js';

/**
 * Pipe mode's `-x / --hex [file]`: each chunk as it passes, with a header line in the manner of
 * `socat -x` (`>` sent, `<` received), then its hex dump:
 *
 *   > 2024-05-01T12:00:00.123Z conn=1 length=5
 *   00000000  68 65 6c 6c 6f                                    |hello|
 */

export interface TrafficChunk {
  dir: 'in' | 'out';
  conn: number | string;
  time: Date;
  bytes: Uint8Array;
}

export interface TrafficDumpOptions {
  /** Encoding of the text column (default utf8). */
  encoding?: string;
  /** Bytes per line (default 16). */
  columns?: number;
}

/** The header line alone, without its newline; ISO time in UTC so logs from any host line up. */
export function formatTrafficHeader(chunk: Omit<TrafficChunk, 'bytes'> & { length: number }): string {
  return `${chunk.dir === 'out' ? '>' : '<'} ${chunk.time.toISOString()} conn=${chunk.conn} length=${chunk.length}`;
}

export function formatTrafficDump(chunk: TrafficChunk, opts: TrafficDumpOptions = {}): string {
  const header = formatTrafficHeader({ ...chunk, length: chunk.bytes.length });
  if (chunk.bytes.length === 0) return `${header}\n`;
  return `${header}\n${hexdump(chunk.bytes, { encoding: opts.encoding, columns: opts.columns })}`;
}
