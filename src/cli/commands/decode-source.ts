import { constants as fsConstants, statSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { parseHex } from '../../codec/input.js';
import { EXIT, SockreplError, UsageError } from '../../errors.js';

/** Where `sockrepl decode` takes its bytes from, and reading them by --skip/--length. */
export type Source = { kind: 'bytes'; data: Buffer } | { kind: 'file'; path: string } | { kind: 'stdin' };

/** Input read in blocks this large. */
export const BLOCK = 1 << 20;

/** Hex arguments, --file, `-` or piped standard input; a lone argument that is a file's name reads it. */
export function chooseSource(input: string[], file: string | undefined): Source {
  if (file !== undefined) {
    if (input.length) throw new UsageError('give bytes either as arguments or with --file, not both');
    return { kind: 'file', path: file };
  }
  if (input.length === 1 && input[0] === '-') return { kind: 'stdin' };
  if (input.length === 0) {
    if (process.stdin.isTTY)
      throw new UsageError('give hex bytes, --file <path>, or - to read standard input');
    return { kind: 'stdin' };
  }
  const text = input.join(' ');
  try {
    return { kind: 'bytes', data: parseHex(text) };
  } catch (err) {
    // `sockrepl decode capture.bin` reads the file, as the synopsis `decode [hex-or-file]` says.
    if (input.length === 1 && isFile(input[0]!)) return { kind: 'file', path: input[0]! };
    throw err;
  }
}

export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Reads a file's slice block by block into `buf[at..]`; 0 at the end. */
export class FileReader {
  private position: number;

  private constructor(
    private readonly fh: FileHandle,
    /** Where the slice starts in the file. */
    readonly start: number,
    private remaining: number,
    /** Where the slice ends, as far as the file's size is known now. */
    readonly end: number,
    /** False for pipes and devices (`--file /dev/stdin`): read in order, never by position. */
    private readonly seekable: boolean,
  ) {
    this.position = start;
  }

  static async open(path: string, skip: number, length: number): Promise<FileReader> {
    let fh: FileHandle;
    try {
      fh = await open(path, fsConstants.O_RDONLY);
    } catch (err) {
      throw ioError(path, err);
    }
    const stat = await fh.stat();
    if (stat.isDirectory()) {
      await fh.close();
      throw ioError(path, Object.assign(new Error('is a directory'), { code: 'EISDIR' }));
    }
    if (!stat.isFile()) {
      if (skip < 0) {
        await fh.close();
        throw new UsageError(`a negative --skip needs a regular file, and ${path} is not one`);
      }
      const reader = new FileReader(fh, skip, length, Number.POSITIVE_INFINITY, false);
      await reader.discard(skip);
      return reader;
    }
    const start = skip < 0 ? Math.max(0, stat.size + skip) : skip;
    if (start > stat.size) {
      await fh.close();
      throw new UsageError(`--skip ${skip} is past the end of ${path} (${stat.size} bytes)`);
    }
    return new FileReader(fh, start, length, Math.min(stat.size, start + length), true);
  }

  /** Reads and drops `n` bytes of a stream that cannot seek. */
  private async discard(n: number): Promise<void> {
    const scratch = Buffer.allocUnsafe(Math.min(n, BLOCK));
    while (n > 0) {
      const { bytesRead } = await this.fh.read(scratch, 0, Math.min(n, scratch.length), null);
      if (bytesRead === 0) return;
      n -= bytesRead;
    }
  }

  /** A positioned read of `length` bytes into `into` (for the parallel dump's shared slots). */
  async readAt(position: number, length: number, into: Uint8Array): Promise<number> {
    let got = 0;
    while (got < length) {
      const { bytesRead } = await this.fh.read(into, got, length - got, position + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return got;
  }

  async read(buf: Buffer, at: number, max: number): Promise<number> {
    const want = Math.min(max, this.remaining);
    if (want <= 0) return 0;
    const { bytesRead } = await this.fh.read(buf, at, want, this.seekable ? this.position : null);
    this.position += bytesRead;
    this.remaining -= bytesRead;
    return bytesRead;
  }

  /** The rest of the slice in blocks, each in a fresh buffer (a consumer may keep it). */
  async *blocks(): AsyncGenerator<Buffer> {
    for (;;) {
      const buf = Buffer.allocUnsafe(BLOCK);
      const n = await this.read(buf, 0, BLOCK);
      if (n === 0) return;
      yield buf.subarray(0, n);
    }
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

function ioError(path: string, err: unknown): SockreplError {
  const e = err as NodeJS.ErrnoException;
  const why =
    { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'is a directory' }[e.code ?? ''] ??
    e.message;
  return new SockreplError(
    `decode: cannot read ${path}: ${e.code ?? 'EIO'}: ${why}`,
    e.code ?? 'EIO',
    EXIT.network,
  );
}

/** Everything in memory (hex arguments, or a whole stdin), sliced by --skip/--length. */
export function slice(data: Buffer, skip: number, length: number): { bytes: Buffer; start: number } {
  const start = skip < 0 ? Math.max(0, data.length + skip) : Math.min(skip, data.length);
  const end = Number.isFinite(length) ? Math.min(data.length, start + length) : data.length;
  return { bytes: data.subarray(start, end), start };
}

/** The whole input, or its --skip/--length slice (of a file, at most `limit` bytes), in memory. */
export async function readAll(source: Source, skip: number, length: number, limit?: number) {
  if (source.kind === 'bytes') return slice(source.data, skip, length);
  if (source.kind === 'stdin') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return slice(Buffer.concat(chunks), skip, length);
  }
  const reader = await FileReader.open(
    source.path,
    skip,
    Math.min(length, limit ?? Number.POSITIVE_INFINITY),
  );
  try {
    const parts: Buffer[] = [];
    for await (const block of reader.blocks()) parts.push(block);
    return { bytes: Buffer.concat(parts), start: reader.start };
  } finally {
    await reader.close();
  }
}

/** Standard input as it arrives, cut to --skip (not negative: it cannot seek) and --length. */
export async function* stdinSlice(skip: number, length: number): AsyncGenerator<Buffer> {
  if (skip < 0) throw new UsageError('a negative --skip needs a file, not standard input');
  let toSkip = skip;
  let left = length;
  for await (const raw of process.stdin) {
    const chunk = raw as Buffer;
    const drop = Math.min(toSkip, chunk.length);
    toSkip -= drop;
    const piece = chunk.subarray(drop, drop + Math.min(left, chunk.length - drop));
    left -= piece.length;
    if (piece.length) yield piece;
    if (left <= 0) return;
  }
}

export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch (err) {
    throw ioError(path, err);
  }
}
