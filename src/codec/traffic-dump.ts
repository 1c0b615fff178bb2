import { HexDumper, hexdump } from './hexdump.js';

/**
 * Pipe mode's `-x / --hex [file]` and `/save`'s transcript: each chunk as it passes, with a
 * header line in the manner of `socat -x` (`>` sent, `<` received), then its hex dump:
 *
 *   > 2024-05-01T12:00:00.123Z conn=1 length=5
 *   00000000  68 65 6c 6c 6f                                    |hello|
 */

export interface TrafficChunk {
  dir: 'in' | 'out';
  conn: number | string;
  time: Date;
  bytes: Uint8Array;
  /** The frame's number on its connection and direction, when framing is on (`frame=` in the header). */
  frame?: number;
}

export interface TrafficDumpOptions {
  /** Encoding of the text column (default utf8). */
  encoding?: string;
  /** Bytes per line (default 16). */
  columns?: number;
}

/** The header line alone, without its newline; ISO time in UTC so logs from any host line up. */
export function formatTrafficHeader(chunk: Omit<TrafficChunk, 'bytes'> & { length: number }): string {
  const frame = chunk.frame === undefined ? '' : ` frame=${chunk.frame}`;
  return `${chunk.dir === 'out' ? '>' : '<'} ${chunk.time.toISOString()} conn=${chunk.conn}${frame} length=${chunk.length}`;
}

/** One chunk dumped on its own, as if nothing came before or after it. */
export function formatTrafficDump(chunk: TrafficChunk, opts: TrafficDumpOptions = {}): string {
  const header = formatTrafficHeader({ ...chunk, length: chunk.bytes.length });
  if (chunk.bytes.length === 0) return `${header}\n`;
  return `${header}\n${hexdump(chunk.bytes, { encoding: opts.encoding, columns: opts.columns })}`;
}

const EMPTY = new Uint8Array(0);

/**
 * The dumps of a run of chunks: each connection and direction is one stream, so a character
 * split between two chunks (a GBK or UTF-8 character, a UTF-16 unit or surrogate pair) is drawn
 * whole, once, in the first cell of the chunk that completes it, with blanks at the end of the
 * chunk that begins it, as the screen shows it (and `--json` gives its text with that chunk);
 * the dumps are otherwise those of `formatTrafficDump`. All it keeps between chunks is the few
 * bytes of such a character (at most 5), for each stream that ended a chunk inside one.
 */
export class TrafficDumper {
  private readonly encoding: string | undefined;
  private readonly columns: number | undefined;
  private readonly held = {
    in: new Map<number | string, Uint8Array>(),
    out: new Map<number | string, Uint8Array>(),
  };

  constructor(opts: TrafficDumpOptions = {}) {
    this.encoding = opts.encoding;
    this.columns = opts.columns;
  }

  format(chunk: TrafficChunk): string {
    const bytes = chunk.bytes;
    const header = formatTrafficHeader({ ...chunk, length: bytes.length });
    if (bytes.length === 0) return `${header}\n`;
    const dumper = this.dumperFor();
    const out = Buffer.allocUnsafe(dumper.outputBound(bytes.length));
    const written = this.formatInto(dumper, chunk, out);
    return `${header}\n${out.toString('utf8', 0, written)}`;
  }

  /**
   * The same text as `format`, as UTF-8 bytes: a view of the buffer `space(n)` gives for at most
   * `n` bytes of it (a relay worker reuses one), by default a new one with an ArrayBuffer of its
   * own, never Node's shared pool.
   */
  formatBytes(chunk: TrafficChunk, space: (n: number) => Buffer = Buffer.allocUnsafeSlow): Buffer {
    const bytes = chunk.bytes;
    const header = `${formatTrafficHeader({ ...chunk, length: bytes.length })}\n`;
    const start = Buffer.byteLength(header);
    const dumper = bytes.length > 0 ? this.dumperFor() : undefined;
    const out = space(start + (dumper?.outputBound(bytes.length) ?? 0));
    out.write(header, 0);
    if (!dumper) return out.subarray(0, start);
    return out.subarray(0, start + this.formatInto(dumper, chunk, out.subarray(start)));
  }

  /** Takes what `dir` of `conn` holds of an unfinished character (another dumper goes on from it). */
  take(dir: 'in' | 'out', conn: number | string): Uint8Array {
    const held = this.held[dir].get(conn) ?? EMPTY;
    this.held[dir].delete(conn);
    return held;
  }

  /** Starts `dir` of `conn` from what `take` gave on another dumper. */
  hold(dir: 'in' | 'out', conn: number | string, bytes: Uint8Array): void {
    if (bytes.length > 0) this.held[dir].set(conn, bytes);
  }

  /** A dumper per chunk is cheap (the encoding's tables are shared); it keeps no state anyway. */
  private dumperFor(): HexDumper {
    return new HexDumper({ encoding: this.encoding, columns: this.columns });
  }

  /** Dumps a non-empty chunk into `out` (outputBound bytes), keeping what its stream holds. */
  private formatInto(dumper: HexDumper, chunk: TrafficChunk, out: Uint8Array): number {
    const bytes = chunk.bytes;
    const streams = this.held[chunk.dir];
    const before = streams.get(chunk.conn) ?? EMPTY;
    const { written, held } = dumper.formatChunk(bytes, before, out);
    if (held > 0) streams.set(chunk.conn, heldBytes(before, bytes, held));
    else if (before.length > 0) streams.delete(chunk.conn);
    return written;
  }

  /** Drops what a connection's chunks left unfinished, when it closes. */
  forget(conn: number | string): void {
    this.held.in.delete(conn);
    this.held.out.delete(conn);
  }
}

/** The last `held` bytes of `before` followed by `bytes`, copied (the chunk's buffer may be reused). */
function heldBytes(before: Uint8Array, bytes: Uint8Array, held: number): Uint8Array {
  if (held <= bytes.length) return Uint8Array.from(bytes.subarray(bytes.length - held));
  const out = new Uint8Array(held);
  out.set(before.subarray(before.length - (held - bytes.length)));
  out.set(bytes, held - bytes.length);
  return out;
}
