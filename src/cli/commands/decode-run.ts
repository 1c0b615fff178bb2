import { availableParallelism } from 'node:os';
import { HexDumper, type HexDumpOptions } from '../../codec/hexdump.js';
import { canDumpInParallel, dumpInParallel } from '../../codec/hexdump-parallel.js';
import { BUILTIN_INSPECTOR_ROWS, inspect } from '../../codec/inspector.js';
import { parseIntegerLiteral } from '../../codec/pack-values.js';
import { compile, StructError } from '../../codec/struct.js';
import { createStreamDecoder, decodeText, resolveEncoding } from '../../codec/text.js';
import { parseInteger, parseSize } from '../../codec/units.js';
import { pyReprFor, toJsonValue } from '../../codec/value-format.js';
import { UsageError } from '../../errors.js';
import { formatInspection, table } from './decode-format.js';
import { Output } from './decode-output.js';
import {
  BLOCK,
  chooseSource,
  FileReader,
  fileSize,
  isFile,
  readAll,
  type Source,
  slice,
  stdinSlice,
} from './decode-source.js';

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
  const source = chooseSource(input, opts.file);
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

/**
 * Threads for dumping a large file: one per core, at most 4 (the writer is the limit beyond).
 * SOCKREPL_HEXDUMP_THREADS overrides it (1 turns the parallel dump off).
 */
function dumpThreads(): number {
  const asked = Number(process.env.SOCKREPL_HEXDUMP_THREADS);
  if (Number.isInteger(asked) && asked > 0) return Math.min(asked, 16);
  return Math.min(availableParallelism(), 4);
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
  const dumper = make(skip);
  for await (const chunk of stdinSlice(skip, length)) {
    await out.write(dumper.write(chunk));
    if (out.closed) break;
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
      const source = {
        read: (position: number, n: number, into: Uint8Array) => reader.readAt(position, n, into),
      };
      await dumpInParallel({ ...options, startOffset: start }, source, start, end, out, threads);
    } else await dumpSequential(reader, { ...options, startOffset: start }, out);
  } finally {
    await reader.close();
  }
}

async function dumpSequential(reader: FileReader, options: HexDumpOptions, out: Output) {
  // Room in front of each block for the previous block's unfinished line (at most 256 + 3).
  const head = 1024;
  // In the line writer's memory, which formats them where they lie.
  const { dumper, inputs, outputs } = HexDumper.withBuffers(options, head + BLOCK, 2);
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
    for await (const chunk of stdinSlice(skip, length)) {
      await out.write(decoder.write(chunk));
      if (out.closed) break;
    }
    await out.write(decoder.end());
    return;
  }
  const reader = await FileReader.open(source.path, skip, length);
  try {
    // blocks() gives fresh buffers: the decoder may hold on to the tail of the last one.
    const decoder = createStreamDecoder(opts.encoding);
    for await (const block of reader.blocks()) {
      await out.write(decoder.write(block));
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
