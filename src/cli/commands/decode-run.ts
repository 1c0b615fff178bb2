import { constants as fsConstants, statSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { HexDumper, type HexDumpOptions } from '../../codec/hexdump.js';
import { canDumpInParallel, dumpInParallel } from '../../codec/hexdump-parallel.js';
import { parseHex } from '../../codec/input.js';
import { BUILTIN_INSPECTOR_ROWS, type Inspection, inspect } from '../../codec/inspector.js';
import { parseIntegerLiteral } from '../../codec/pack-values.js';
import { compile, StructError } from '../../codec/struct.js';
import { createStreamDecoder, decodeText, resolveEncoding } from '../../codec/text.js';
import { pyReprFor, toJsonValue } from '../../codec/value-format.js';
import { EXIT, SockreplError, UsageError } from '../../errors.js';
import { parseInteger, parseSize } from '../units.js';

/**
 * `sockrepl decode`: offline decoding of bytes given as hex, a file, or standard input. A hex
 * dump by default (streamed, for files of any size), or the text, a struct, or the inspector.
 */

export interface DecodeOptions {
  file?: string;
  encoding: string;
  text?: boolean;
  struct?: string;
  inspect?: string;
  endian: 'le' | 'be';
  json?: boolean;
  columns: string;
  group: string;
  squeeze: boolean;
  skip?: string;
  length?: string;
  uppercase?: boolean;
}

type Source = { kind: 'bytes'; data: Buffer } | { kind: 'file'; path: string } | { kind: 'stdin' };

/** Input read in blocks this large; output goes out in blocks of the matching size. */
const BLOCK = 1 << 20;
/** How much of a file the inspector reads past the offset: more than any built-in row needs. */
const INSPECT_WINDOW = 4096;

export async function runDecode(input: string[], opts: DecodeOptions): Promise<void> {
  const modes = [
    opts.text && '--text',
    opts.struct !== undefined && '--struct',
    opts.inspect !== undefined && '--inspect',
  ];
  const chosen = modes.filter(Boolean);
  if (chosen.length > 1) throw new UsageError(`${chosen.join(' and ')} cannot be combined; pick one`);
  resolveEncoding(opts.encoding);
  const source = chooseSource(input, opts);
  const skip = opts.skip === undefined ? 0 : parseOffset(opts.skip, '--skip', true);
  const length =
    opts.length === undefined ? Number.POSITIVE_INFINITY : parseOffset(opts.length, '--length', false);
  const out = new Output();
  try {
    if (opts.struct !== undefined) await decodeStruct(source, skip, length, opts, out);
    else if (opts.inspect !== undefined) await decodeInspect(source, skip, length, opts, out);
    else if (opts.text) await decodeTextMode(source, skip, length, opts, out);
    else await decodeDump(source, skip, length, opts, out);
    await out.flush();
  } finally {
    out.dispose();
  }
}

function chooseSource(input: string[], opts: DecodeOptions): Source {
  if (opts.file !== undefined) {
    if (input.length) throw new UsageError('give bytes either as arguments or with --file, not both');
    return { kind: 'file', path: opts.file };
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

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** `4096`, `0x1000`, `4k`; negative (from the end) only where `signed`. */
function parseOffset(text: string, what: string, signed: boolean): number {
  const t = text.trim();
  const negative = t.startsWith('-');
  if (negative && !signed) throw new UsageError(`${what}: '${text}' must not be negative`);
  const body = negative ? t.slice(1) : t;
  const int = parseIntegerLiteral(body);
  let n: number;
  if (int !== undefined) {
    if (int > BigInt(Number.MAX_SAFE_INTEGER)) throw new UsageError(`${what}: '${text}' is too large`);
    n = Number(int);
  } else n = parseSize(body, what);
  return negative ? -n : n;
}

/** stdout with backpressure, and a reader that has gone away (`| head`) ending output quietly. */
class Output {
  closed = false;
  private readonly onError = (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') this.closed = true;
  };

  constructor() {
    process.stdout.on('error', this.onError);
  }

  /** Resolves when the chunk has been handed to the OS, so its buffer may be reused. */
  write(chunk: Uint8Array | string): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      process.stdout.write(chunk, (err) => {
        if (err && (err as NodeJS.ErrnoException).code === 'EPIPE') this.closed = true;
        resolve();
      });
    });
  }

  flush(): Promise<void> {
    return this.write('');
  }

  dispose(): void {
    // Keep swallowing EPIPE for writes still queued when the command ends.
    if (!this.closed) process.stdout.off('error', this.onError);
  }
}

/**
 * Threads for dumping a large file: one per core, at most 4 (the writer is the limit beyond).
 * SOCKREPL_HEXDUMP_THREADS overrides it (1 turns the parallel dump off).
 */
function dumpThreads(): number {
  const asked = Number(process.env.SOCKREPL_HEXDUMP_THREADS);
  if (Number.isInteger(asked) && asked > 0) return Math.min(asked, 16);
  return Math.min(availableParallelism(), 4);
}

/** Reads a file's slice block by block into `buf[at..]`; 0 at the end. */
class FileReader {
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

  /** A positioned read into a buffer of its own (for the parallel dump, which transfers it). */
  async readAt(position: number, length: number): Promise<Uint8Array> {
    const buf = new Uint8Array(new ArrayBuffer(length));
    let got = 0;
    while (got < length) {
      const { bytesRead } = await this.fh.read(buf, got, length - got, position + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return got === length ? buf : buf.slice(0, got);
  }

  async read(buf: Buffer, at: number, max: number): Promise<number> {
    const want = Math.min(max, this.remaining);
    if (want <= 0) return 0;
    const { bytesRead } = await this.fh.read(buf, at, want, this.seekable ? this.position : null);
    this.position += bytesRead;
    this.remaining -= bytesRead;
    return bytesRead;
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

function ioError(path: string, err: unknown): SockreplError {
  const e = err as NodeJS.ErrnoException;
  const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.message;
  return new SockreplError(
    `decode: cannot read ${path}: ${e.code ?? 'EIO'}: ${why}`,
    e.code ?? 'EIO',
    EXIT.network,
  );
}

/** Everything in memory (hex arguments, or a whole stdin), sliced by --skip/--length. */
function slice(data: Buffer, skip: number, length: number): { bytes: Buffer; start: number } {
  const start = skip < 0 ? Math.max(0, data.length + skip) : Math.min(skip, data.length);
  const end = Number.isFinite(length) ? Math.min(data.length, start + length) : data.length;
  return { bytes: data.subarray(start, end), start };
}

async function readAll(source: Source, skip: number, length: number, limit?: number) {
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
    for (;;) {
      const buf = Buffer.allocUnsafe(BLOCK);
      const n = await reader.read(buf, 0, BLOCK);
      if (n === 0) break;
      parts.push(buf.subarray(0, n));
    }
    return { bytes: Buffer.concat(parts), start: reader.start };
  } finally {
    await reader.close();
  }
}

async function decodeDump(source: Source, skip: number, length: number, opts: DecodeOptions, out: Output) {
  const columns = parseInteger(opts.columns, '--columns', 1, 256);
  const group = parseInteger(opts.group, '--group', 1, columns);
  const options: HexDumpOptions = {
    columns,
    group,
    encoding: opts.encoding,
    squeeze: opts.squeeze,
    uppercase: opts.uppercase,
  };
  const make = (startOffset: number) => new HexDumper({ ...options, startOffset });
  if (opts.json) {
    const { bytes, start } = await readAll(source, skip, length);
    const text = decodeText(bytes, opts.encoding);
    await out.write(
      `${JSON.stringify({ offset: start, length: bytes.length, hex: bytes.toString('hex'), text })}\n`,
    );
    return;
  }
  if (source.kind === 'file') return dumpFile(source.path, skip, length, options, out);
  if (source.kind === 'bytes') {
    const { bytes, start } = slice(source.data, skip, length);
    const dumper = make(start);
    const buf = Buffer.allocUnsafe(dumper.outputBound(bytes.length));
    const { written } = dumper.formatInto(bytes, true, buf);
    await out.write(buf.subarray(0, written));
    return;
  }
  if (skip < 0) throw new UsageError('a negative --skip needs a file, not standard input');
  const dumper = make(skip);
  let toSkip = skip;
  let left = length;
  for await (const raw of process.stdin) {
    let chunk = raw as Buffer;
    if (toSkip > 0) {
      const drop = Math.min(toSkip, chunk.length);
      toSkip -= drop;
      chunk = chunk.subarray(drop);
    }
    if (chunk.length > left) chunk = chunk.subarray(0, left);
    left -= chunk.length;
    if (chunk.length) await out.write(dumper.write(chunk));
    if (left <= 0 || out.closed) break;
  }
  await out.write(dumper.end());
}

/**
 * The fast path for files. A large file whose text column allows it is dumped on several
 * threads (hexdump-parallel.ts); otherwise large positioned reads go into two alternating
 * buffers (the next block is read while this one is formatted), the unfinished tail of a block
 * moves in front of the next, and output is formatted into two alternating buffers so one is
 * written while the next fills.
 */
async function dumpFile(path: string, skip: number, length: number, options: HexDumpOptions, out: Output) {
  const reader = await FileReader.open(path, skip, length);
  try {
    const threads = dumpThreads();
    const { start, end } = reader;
    if (Number.isFinite(end) && canDumpInParallel(options, end - start, threads)) {
      const source = { read: (position: number, n: number) => reader.readAt(position, n) };
      await dumpInParallel({ ...options, startOffset: start }, source, start, end, out, threads);
    } else await dumpSequential(reader, new HexDumper({ ...options, startOffset: start }), out);
  } finally {
    await reader.close();
  }
}

async function dumpSequential(reader: FileReader, dumper: HexDumper, out: Output) {
  // Room in front of each block for the previous block's unfinished line (at most 256 + 3).
  const head = 1024;
  const inputs = [Buffer.allocUnsafe(head + BLOCK), Buffer.allocUnsafe(head + BLOCK)];
  const bound = dumper.outputBound(head + BLOCK);
  const outputs = [Buffer.allocUnsafe(bound), Buffer.allocUnsafe(bound)];
  const inFlight: Promise<void>[] = [Promise.resolve(), Promise.resolve()];
  let reading = reader.read(inputs[0]!, head, BLOCK);
  try {
    let carry = 0;
    let turn = 0;
    for (;;) {
      const got = await reading;
      const final = got === 0;
      const input = inputs[turn]!;
      const next = inputs[turn ^ 1]!;
      if (!final) reading = reader.read(next, head, BLOCK);
      await inFlight[turn];
      if (out.closed) break;
      const block = input.subarray(head - carry, head + got);
      const target = outputs[turn]!;
      const { written, consumed } = dumper.formatInto(block, final, target);
      inFlight[turn] = out.write(target.subarray(0, written));
      carry = block.length - consumed;
      next.set(block.subarray(consumed), head - carry);
      turn ^= 1;
      if (final) break;
    }
    await Promise.all(inFlight);
  } finally {
    await reading.catch(() => 0);
  }
}

async function decodeTextMode(
  source: Source,
  skip: number,
  length: number,
  opts: DecodeOptions,
  out: Output,
) {
  if (opts.json || source.kind === 'bytes' || (source.kind === 'stdin' && skip < 0)) {
    const { bytes } = await readAll(source, skip, length);
    const text = decodeText(bytes, opts.encoding);
    await out.write(opts.json ? `${JSON.stringify({ length: bytes.length, text })}\n` : text);
    return;
  }
  if (source.kind === 'stdin') {
    // Text is printed as it arrives (`nc host port | sockrepl decode --text -e gbk -`).
    const decoder = createStreamDecoder(opts.encoding);
    let toSkip = skip;
    let left = length;
    for await (const raw of process.stdin) {
      let chunk = raw as Buffer;
      const drop = Math.min(toSkip, chunk.length);
      toSkip -= drop;
      chunk = chunk.subarray(drop, drop + Math.min(left, chunk.length - drop));
      left -= chunk.length;
      if (chunk.length) await out.write(decoder.write(chunk));
      if (left <= 0 || out.closed) break;
    }
    await out.write(decoder.end());
    return;
  }
  const reader = await FileReader.open(source.path, skip, length);
  try {
    const decoder = createStreamDecoder(opts.encoding);
    for (;;) {
      // A fresh buffer each time: the decoder may hold on to the tail of the last one.
      const buf = Buffer.allocUnsafe(BLOCK);
      const n = await reader.read(buf, 0, BLOCK);
      if (n === 0) break;
      await out.write(decoder.write(buf.subarray(0, n)));
      if (out.closed) return;
    }
    await out.write(decoder.end());
  } finally {
    await reader.close();
  }
}

async function decodeStruct(source: Source, skip: number, length: number, opts: DecodeOptions, out: Output) {
  const struct = compile(opts.struct!, { endian: opts.endian });
  const { bytes, start } = await readAll(source, skip, length, struct.size + 1);
  if (bytes.length < struct.size)
    throw new StructError(`unpack requires a buffer of ${struct.size} bytes (got ${bytes.length})`);
  if (bytes.length > struct.size) {
    const extra = bytes.length - struct.size;
    const more =
      source.kind === 'file' ? 'more bytes follow' : `${extra} more byte${extra === 1 ? '' : 's'} follow`;
    process.stderr.write(`sockrepl: decode: note: unpacked the first ${struct.size} bytes; ${more}\n`);
  }
  const values = struct.unpackFrom(bytes, 0);
  const fields = struct.fields();
  if (opts.json) {
    await out.write(`${JSON.stringify(values.map((v) => toJsonValue(v)))}\n`);
    return;
  }
  const rows = fields.map(
    (f, k) => [String(start + f.offset), f.label, pyReprFor(f.code, values[k]!)] as const,
  );
  await out.write(table(['offset', 'type', 'value'], rows));
}

async function decodeInspect(source: Source, skip: number, length: number, opts: DecodeOptions, out: Output) {
  const offset = parseOffset(opts.inspect!, '--inspect', true);
  const outside = (total: number) =>
    new UsageError(`--inspect ${offset} is outside the ${total} bytes given`);
  let bytes: Buffer;
  let at: number;
  let base: number;
  let left: number;
  if (source.kind === 'file' && isFile(source.path)) {
    // Only a window of a (possibly huge) file is read.
    const size = fileSize(source.path);
    const start = skip < 0 ? Math.max(0, size + skip) : Math.min(skip, size);
    const total = Math.min(size - start, length);
    const rel = offset < 0 ? total + offset : offset;
    if (rel < 0 || rel > total) throw outside(total);
    bytes = (await readAll(source, start + rel, Math.min(INSPECT_WINDOW, total - rel))).bytes;
    at = 0;
    base = start + rel;
    left = total - rel;
  } else {
    const all = await readAll(source, skip, length);
    bytes = all.bytes;
    at = offset < 0 ? bytes.length + offset : offset;
    if (at < 0 || at > bytes.length) throw outside(bytes.length);
    base = all.start + at;
    left = bytes.length - at;
  }
  const rows = inspect(bytes, at, { endian: opts.endian, rows: BUILTIN_INSPECTOR_ROWS });
  if (opts.json) await out.write(`${JSON.stringify({ offset: base, left, endian: opts.endian, rows })}\n`);
  else await out.write(formatInspection(base, left, opts.endian, rows));
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch (err) {
    throw ioError(path, err);
  }
}

/** The inspector as a table: the chosen byte order first, the other next to it. */
export function formatInspection(
  offset: number,
  left: number,
  endian: 'le' | 'be',
  rows: Inspection[],
): string {
  const first = endian;
  const second = endian === 'le' ? 'be' : 'le';
  const name = (e: string) => (e === 'le' ? 'little-endian' : 'big-endian');
  const body = rows.map((r) => {
    if (!r.fits || r.le === undefined || r.be === undefined) return [r.name, r.value, ''] as const;
    return [r.name, r[first]!, r[second]!] as const;
  });
  const header = `offset ${offset} (0x${offset.toString(16)}), ${left} byte${left === 1 ? '' : 's'} from there\n`;
  return header + table(['type', name(first), name(second)], body);
}

/** Left-aligned columns two spaces apart; trailing blanks trimmed. */
function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => [...(r[c] ?? '')].length)));
  const line = (cells: readonly string[]) =>
    `${cells
      .map((cell, c) => (c === cells.length - 1 ? cell : cell + ' '.repeat(widths[c]! - [...cell].length)))
      .join('  ')
      .trimEnd()}\n`;
  return line(head) + rows.map(line).join('');
}
