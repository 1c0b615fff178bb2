import { UsageError } from '../errors.js';
import { CONTINUATION_BIT, GlyphDecoder } from './glyphs.js';
import { asBuffer, DEFAULT_ENCODING } from './text.js';

/**
 * The hex dump, in the layout of `hexdump -C`:
 *
 *   00000000  48 65 6c 6c 6f 2c 20 e4  b8 96 e7 95 8c 0a        |Hello, 世 界 .|
 *
 * offset, hex bytes in groups, and a text column decoded in any encoding. Repeated lines squeeze
 * into `*` (as hexdump and hexyl do, xxd with -a). Output is built in one preallocated Buffer per
 * block with lookup tables, so a 200 MB file dumps at hundreds of MB/s.
 */

export interface HexDumpOptions {
  /** Bytes per line (default 16). */
  columns?: number;
  /** Bytes per group of hex digits (default 1: `de ad`; 2: `dead beef`; 4: `deadbeef`). */
  group?: number;
  /** Encoding of the text column (default utf8); `false` leaves the text column out. */
  encoding?: string | false;
  /** Replace runs of identical lines with `*` (default true). */
  squeeze?: boolean;
  /** Offset shown for the first byte, e.g. where a slice starts in a file (default 0). */
  startOffset?: number;
  uppercase?: boolean;
}

/** hexyl's byte classes: they decide colour in the TUI (and nothing in plain output). */
export const BYTE_CLASSES = ['null', 'printable', 'whitespace', 'ascii-other', 'non-ascii'] as const;
export type ByteClass = (typeof BYTE_CLASSES)[number];

/** Index into BYTE_CLASSES for each byte value. */
export const BYTE_CLASS_TABLE: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let b = 0; b < 256; b++) {
    if (b === 0) t[b] = 0;
    else if (b > 0x20 && b < 0x7f) t[b] = 1;
    else if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0b || b === 0x0c || b === 0x0d) t[b] = 2;
    else if (b < 0x80) t[b] = 3;
    else t[b] = 4;
  }
  return t;
})();

export function byteClass(b: number): ByteClass {
  return BYTE_CLASSES[BYTE_CLASS_TABLE[b & 0xff]!]!;
}

const SPACE = 0x20;
const NEWLINE = 0x0a;
const BAR = 0x7c;

function hexTables(uppercase: boolean): { hi: Uint8Array; lo: Uint8Array; word: Uint32Array } {
  const digits = Buffer.from(uppercase ? '0123456789ABCDEF' : '0123456789abcdef');
  const hi = new Uint8Array(256);
  const lo = new Uint8Array(256);
  // Two digits and two spaces packed little-endian: one store writes a byte's hex and its
  // separator; the next store overwrites whatever spaces are not wanted.
  const word = new Uint32Array(256);
  for (let b = 0; b < 256; b++) {
    hi[b] = digits[b >> 4]!;
    lo[b] = digits[b & 15]!;
    word[b] = hi[b]! | (lo[b]! << 8) | (SPACE << 16) | (SPACE << 24);
  }
  return { hi, lo, word };
}

const LOWER = hexTables(false);
const UPPER = hexTables(true);

/** What the generated line writers need to call back for a byte that needs real decoding. */
interface CharWriter {
  /** See HexDumper.writeChar; returns the output position, sets `charCells`. */
  writeChar(input: Uint8Array, at: number, room: number, n: number, out: Uint8Array, p: number): number;
  charCells: number;
}

interface LineWriters {
  /** Writes a full line's hex column (and two spaces after it) at `ph`. */
  hex(input: Uint8Array, i: number, dv: DataView, ph: number, word: Uint32Array): void;
  /** Hex column at `ph` and glyphs from a single-byte table at `pt`; returns the text's end. */
  table(
    input: Uint8Array,
    i: number,
    dv: DataView,
    ph: number,
    word: Uint32Array,
    pt: number,
    tword: Uint32Array,
    tlen: Uint8Array,
  ): number;
  /**
   * Hex column at `ph` and glyphs at `pt` through `simplePair` (needs the byte after the line);
   * other bytes go to `chars.writeChar`. The first `skip` cells belong to a character of the
   * line before (their blanks are already written). Returns the text's end.
   */
  pair(
    input: Uint8Array,
    i: number,
    dv: DataView,
    ph: number,
    word: Uint32Array,
    pt: number,
    out: Uint8Array,
    pair: Uint8Array,
    cont: Uint16Array,
    chars: CharWriter,
    n: number,
    skip: number,
  ): number;
}

/** By `columns * 512 + group`, which decide the layout: looked up per dumper, so no string key. */
const writerCache = new Map<number, LineWriters>();

/**
 * Line writers unrolled for one layout (columns and gaps). Each byte of the line is loaded
 * once into a local; with every output position a constant, V8 compiles each byte to a few
 * loads and stores: about 1.8x the speed of the equivalent loops on a 200 MB dump. The
 * generated code is built only from the integers of the layout.
 */
function lineWriters(columns: number, group: number, advance: Uint8Array): LineWriters {
  const key = columns * 512 + group;
  let writers = writerCache.get(key);
  if (writers) return writers;
  const loads: string[] = [];
  for (let j = 0; j < columns; j++) loads.push(`const b${j} = input[i + ${j}];`);
  const hex: string[] = [];
  let at = 0;
  for (let j = 0; j < columns; j++) {
    hex.push(`dv.setUint32(ph + ${at}, word[b${j}], true);`);
    at += advance[j]!;
  }
  const table: string[] = [];
  for (let j = 0; j < columns; j++) table.push(`dv.setUint32(pt, tword[b${j}], true); pt += tlen[b${j}];`);
  const pair: string[] = [`const b${columns} = input[i + ${columns}];`, 'let c = 0;'];
  for (let j = 0; j < columns; j++) {
    const step =
      `c = pair[b${j} | cont[b${j + 1}]];\n` +
      'if (c !== 0) out[pt++] = c;\n' +
      `else { pt = chars.writeChar(input, i + ${j}, ${columns - j}, n, out, pt); skip = chars.charCells - 1; }`;
    pair.push(`if (skip === 0) {\n${step}\n} else skip--;`);
  }
  const head = [...loads, ...hex].join('\n');
  writers = {
    hex: new Function('input', 'i', 'dv', 'ph', 'word', head) as LineWriters['hex'],
    table: new Function(
      'input',
      'i',
      'dv',
      'ph',
      'word',
      'pt',
      'tword',
      'tlen',
      `${head}\n${table.join('\n')}\nreturn pt;`,
    ) as LineWriters['table'],
    pair: new Function(
      'input',
      'i',
      'dv',
      'ph',
      'word',
      'pt',
      'out',
      'pair',
      'cont',
      'chars',
      'n',
      'skip',
      `${head}\n${pair.join('\n')}\nreturn pt;`,
    ) as LineWriters['pair'],
  };
  writerCache.set(key, writers);
  return writers;
}

/** Where formatChunk joins the bytes held from the chunk before to the first of the next. */
const HEAD = Buffer.alloc(16);

/** What `formatChunk` keeps while it formats a chunk. */
interface OpenChunk {
  /** Bytes at the end that begin a character the chunk does not finish (blanks, not dots). */
  held: number;
  /** The glyphs of the character begun before the chunk, for its first cell, until written. */
  lead: string | undefined;
  /** Their width in columns: the cells of the chunk they cover. */
  leadWidth: number;
}

/** One cell of the text column, for views that style each cell (the TUI). */
export interface TextCell {
  /** What to draw: a character, `.`, a blank, or '' where a wide character covers the cell. */
  glyph: string;
  /** `char` a decoded character; `dot` not printable; `fill`/`covered` later bytes of a character. */
  kind: 'char' | 'dot' | 'fill' | 'covered';
}

export type HexDumpRow =
  | {
      kind: 'data';
      offset: number;
      bytes: Uint8Array;
      /** The hex column as plain output prints it, padded to full width. */
      hex: string;
      /** One cell per byte; empty when the text column is off. */
      text: TextCell[];
    }
  | { kind: 'squeeze'; offset: number; lines: number };

/**
 * A streaming hex dumper: feed blocks, get the text for every line that is complete. Keeps the
 * offset, the squeeze state and a character split across two lines from one block to the next.
 */
export class HexDumper {
  readonly columns: number;
  readonly group: number;
  readonly squeeze: boolean;
  private readonly glyphs: GlyphDecoder | undefined;
  private readonly hi: Uint8Array;
  private readonly lo: Uint8Array;
  private readonly hexWord: Uint32Array;
  private readonly upper: boolean;
  /** Spaces after each byte's hex digits: group breaks, and a wider gap in the middle. */
  private readonly sepAfter: Uint8Array;
  /** 2 + sepAfter: how far the output moves per byte. */
  private readonly advance: Uint8Array;
  private readonly hexWidth: number;
  private readonly lineBound: number;
  private offset: number;
  private readonly fast: LineWriters;
  private readonly prev: Uint8Array;
  private hasPrev = false;
  private inSqueeze = false;
  /** Cells at the start of the next line that belong to a character begun on this one. */
  private pendingCells = 0;
  private pendingFill = SPACE;
  /** `pendingCells * 256 + pendingFill` when the previous line began; -1 when not known. */
  private previousStartState = -1;
  private started = false;
  private carry: Buffer | undefined;
  /** Set while formatChunk runs (one field: a dumper is made per chunk of traffic). */
  private open: OpenChunk | undefined;

  constructor(options: HexDumpOptions = {}) {
    const columns = options.columns ?? 16;
    const group = options.group ?? 1;
    if (!Number.isInteger(columns) || columns < 1 || columns > 256)
      throw new UsageError(`columns must be 1..256, not ${columns}`);
    if (!Number.isInteger(group) || group < 1 || group > columns)
      throw new UsageError(`group size must be 1..${columns} (the number of columns), not ${group}`);
    this.columns = columns;
    this.group = group;
    this.squeeze = options.squeeze ?? true;
    const encoding = options.encoding ?? DEFAULT_ENCODING;
    this.glyphs = encoding === false ? undefined : new GlyphDecoder(encoding);
    const tables = options.uppercase ? UPPER : LOWER;
    this.hi = tables.hi;
    this.lo = tables.lo;
    this.hexWord = tables.word;
    this.upper = !!options.uppercase;
    this.offset = options.startOffset ?? 0;
    this.prev = new Uint8Array(columns);

    const half = columns >= 8 && columns % 2 === 0 && (columns / 2) % group === 0 ? columns / 2 : 0;
    this.sepAfter = new Uint8Array(columns);
    this.advance = new Uint8Array(columns);
    let width = 0;
    for (let j = 0; j < columns; j++) {
      let s = (j + 1) % group === 0 ? 1 : 0;
      if (j + 1 === half) s++;
      if (j === columns - 1) s = 0;
      this.sepAfter[j] = s;
      this.advance[j] = 2 + s;
      width += 2 + s;
    }
    this.hexWidth = width;
    this.fast = lineWriters(columns, group, this.advance);
    // offset (up to 16 digits) + 2 + hex + "  |" + text (a character's UTF-8 may overhang) + "|\n",
    // and slack for the 4-byte stores that run past the end.
    this.lineBound = 16 + 2 + width + 3 + columns * 4 + 8 + 2 + 8;
  }

  /** Upper bound of the output for `n` input bytes, for callers that bring their own buffer. */
  outputBound(n: number): number {
    return (Math.ceil(n / this.columns) + 3) * this.lineBound;
  }

  /** Bytes past the last full line that `formatInto` needs before it formats that line. */
  get lookahead(): number {
    return this.glyphs?.lookahead ?? 0;
  }

  /**
   * Whether a dump can start at any line without having seen the lines before it, given a
   * little context (`resume`): true for no text column, single-byte encodings and UTF-8,
   * whose characters are recognisable from their first byte. Such dumps can be split across
   * threads; a GBK or UTF-16 column must be read from the start.
   */
  get resumable(): boolean {
    return this.glyphs?.mode !== 'general';
  }

  /** Context a `resume` needs before the first line: two lines (squeeze) and 3 bytes (UTF-8). */
  get resumeContext(): number {
    return Math.max(2 * this.columns, 4);
  }

  /**
   * Sets the state a sequential dump would have at `data[contextLength]`, a line boundary at
   * file offset `offset`, from the bytes before it (up to `resumeContext`) and after it: the
   * previous line for squeezing, whether it was squeezed, and a UTF-8 character that began
   * before the boundary. Every byte that is not a UTF-8 continuation byte starts a character
   * or a dot, so the character covering the boundary is found from the bytes just before it.
   */
  resume(data: Uint8Array, contextLength: number, offset: number): void {
    if (!this.resumable) throw new Error(`a ${this.glyphs?.encoding} text column cannot resume mid-stream`);
    const cols = this.columns;
    this.offset = offset;
    this.carry = undefined;
    this.started = true;
    this.hasPrev = contextLength >= cols;
    if (this.hasPrev) this.prev.set(data.subarray(contextLength - cols, contextLength));
    this.inSqueeze =
      this.squeeze &&
      contextLength >= 2 * cols &&
      Buffer.compare(
        data.subarray(contextLength - 2 * cols, contextLength - cols),
        data.subarray(contextLength - cols, contextLength),
      ) === 0;
    this.pendingCells = 0;
    this.previousStartState = -1;
    if (this.glyphs?.mode !== 'utf8') return;
    for (let q = contextLength - 1; q >= Math.max(0, contextLength - 3); q--) {
      if ((data[q]! & 0xc0) === 0x80) continue;
      const r = this.glyphs.decodeAt(data, q, data.length);
      const end = q + Math.abs(r);
      if (end > contextLength) {
        this.pendingCells = end - contextLength;
        this.pendingFill = r > 0 ? SPACE : 0x2e;
      }
      return;
    }
  }

  /**
   * Formats every line of `input` that can be decided into `out` (which must hold
   * `outputBound(input.length)` bytes). Unless `final`, a partial last line, and a line whose
   * last character may continue past the input, are left: `consumed` says how many input bytes
   * were used, and the caller passes the rest again with more data.
   */
  formatInto(input: Uint8Array, final: boolean, out: Uint8Array): { written: number; consumed: number } {
    const cols = this.columns;
    const n = input.length;
    const need = cols + this.lookahead;
    if (!this.started && n > 0 && this.glyphs) {
      this.glyphs.sniff(input);
      this.started = true;
    }
    const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
    let i = 0;
    let p = 0;
    let linesHere = 0;
    while (n - i >= cols && (final || n - i >= need)) {
      const startState = this.pendingCells * 256 + this.pendingFill;
      if (this.squeeze && (linesHere > 0 || this.hasPrev) && this.sameAsPrevious(input, i, linesHere > 0)) {
        // The line is not printed, but a character crossing into the next line still counts,
        // unless this line starts as the identical line before it did and is followed by what
        // followed that one (its own first bytes): then it ends as it did.
        if (
          this.glyphs &&
          this.glyphs.mode !== 'table' &&
          (startState !== this.previousStartState || !this.followedAlike(input, i, n))
        )
          this.writeText(input, i, cols, n, out, dv, p);
        if (!this.inSqueeze) {
          out[p++] = 0x2a;
          out[p++] = NEWLINE;
          this.inSqueeze = true;
        }
      } else {
        this.inSqueeze = false;
        p =
          this.pendingCells < cols && i + cols < n
            ? this.writeFullLine(input, i, n, out, dv, p)
            : this.writeLine(input, i, cols, n, out, dv, p);
      }
      this.previousStartState = startState;
      i += cols;
      this.offset += cols;
      linesHere++;
    }
    if (linesHere > 0) {
      this.prev.set(input.subarray(i - cols, i));
      this.hasPrev = true;
    }
    if (final) {
      if (i < n) {
        this.inSqueeze = false;
        p = this.writeLine(input, i, n - i, n, out, dv, p);
        this.offset += n - i;
        i = n;
      }
      // A dump that ends inside a squeezed run would hide its length: print where it ends.
      if (this.inSqueeze) {
        p = this.writeOffset(out, dv, p, this.offset);
        out[p++] = NEWLINE;
      }
      this.inSqueeze = false;
    }
    return { written: p, consumed: i };
  }

  /** Streams a chunk; returns the text of every line it completes. */
  write(chunk: Uint8Array): Buffer {
    const input = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    const out = Buffer.allocUnsafe(this.outputBound(input.length));
    const { written, consumed } = this.formatInto(input, false, out);
    this.carry = consumed < input.length ? Buffer.from(input.subarray(consumed)) : undefined;
    return out.subarray(0, written);
  }

  /** Ends the stream: the partial last line, and the end offset after a squeezed run. */
  end(): Buffer {
    const input = this.carry ?? new Uint8Array(0);
    this.carry = undefined;
    const out = Buffer.allocUnsafe(this.outputBound(input.length));
    const { written } = this.formatInto(input, true, out);
    return out.subarray(0, written);
  }

  /**
   * Dumps one chunk of a stream that arrives in chunks (a connection's traffic) as a whole dump
   * of its own, every line printed, on a new dumper. `before` is what the previous chunk's call
   * held back (`held` bytes at its end, joined to the bytes before them if they were all held):
   * the start of a character that chunk did not finish. Such a character is drawn whole in this
   * chunk's first cell, blanks over the rest of its bytes here; one that this chunk begins and
   * does not finish is blanks, and `held` says how many bytes at the end of `before` and `input`
   * it has so far. Bytes that turn out to be no character are dots where they are shown.
   */
  formatChunk(input: Uint8Array, before: Uint8Array, out: Uint8Array): { written: number; held: number } {
    const g = this.glyphs;
    if (!g || g.mode === 'table') return { written: this.formatInto(input, true, out).written, held: 0 };
    if (input.length === 0) return { written: 0, held: before.length };
    if (!this.started) {
      g.sniff(input);
      this.started = true;
    }
    const open: OpenChunk = { held: 0, lead: undefined, leadWidth: 0 };
    if (before.length > 0) this.continueCharacter(g, input, before, open);
    this.open = open;
    try {
      const { written } = this.formatInto(input, true, out);
      return { written, held: open.held };
    } finally {
      this.open = undefined;
    }
  }

  /**
   * Decides the character that `before` begins: the cells of `input` it covers, and its glyph
   * (or dots), drawn by the first line. When `input` ends before it does, every cell is blank
   * and all of it is held again.
   */
  private continueCharacter(g: GlyphDecoder, input: Uint8Array, before: Uint8Array, open: OpenChunk): void {
    const c = before.length;
    const size = c + Math.min(input.length, g.lookahead + 1);
    const head = size <= HEAD.length ? HEAD.subarray(0, size) : Buffer.alloc(size);
    head.set(before);
    head.set(input.subarray(0, head.length - c), c);
    let lead = '';
    let leadWidth = 0;
    let pos = 0;
    while (pos < c) {
      const r = g.decodeAt(head, pos, head.length);
      const len = r > 0 ? r : -r;
      if (r < 0 && head.length === c + input.length && g.unfinished(head, pos, head.length)) {
        this.pendingCells = input.length;
        this.pendingFill = SPACE;
        open.held = head.length - pos;
        break;
      }
      if (r > 0) {
        lead += g.mode === 'utf8' ? head.toString('utf8', pos, pos + r) : g.glyph;
        leadWidth += g.width;
      }
      if (pos + len > c) {
        this.pendingCells = pos + len - c;
        this.pendingFill = r > 0 ? SPACE : 0x2e;
        break;
      }
      // Bytes of `before` that turn out to be no character were blanks in the chunk before and
      // are not shown again. A character that ends within `before` (there can be one only after
      // such bytes) joins the glyph in the first cell, ahead of the one this chunk finishes.
      pos += len;
    }
    if (lead) {
      open.lead = lead;
      open.leadWidth = leadWidth;
    }
  }

  /** The glyph of a character begun before the chunk, at a line's start; returns the output position. */
  private writeLead(open: OpenChunk, out: Uint8Array, p: number): number {
    p += asBuffer(out).write(open.lead!, p, 'utf8');
    open.lead = undefined;
    return p;
  }

  /**
   * Whether the bytes after the line at `i` that its last character may read are those after the
   * identical line before it, which were this line's first bytes. A line ending in a UTF-8 lead
   * byte or a UTF-16 high surrogate ends in a character or in dots depending on them.
   */
  private followedAlike(input: Uint8Array, i: number, n: number): boolean {
    const cols = this.columns;
    const look = this.glyphs!.lookahead;
    if (i + cols + look > n) return false;
    for (let j = 0; j < look; j++) if (input[i + cols + j] !== input[i + j]) return false;
    return true;
  }

  private sameAsPrevious(input: Uint8Array, i: number, local: boolean): boolean {
    const cols = this.columns;
    if (local) {
      for (let j = 0; j < cols; j++) if (input[i + j] !== input[i - cols + j]) return false;
      return true;
    }
    const prev = this.prev;
    for (let j = 0; j < cols; j++) if (input[i + j] !== prev[j]) return false;
    return true;
  }

  /** Writes the offset in 8 or more hex digits, followed by two spaces. */
  private writeOffset(out: Uint8Array, dv: DataView, p: number, offset: number): number {
    if (offset <= 0xffffffff) {
      const word = this.hexWord;
      dv.setUint32(p, word[offset >>> 24]!, true);
      dv.setUint32(p + 2, word[(offset >>> 16) & 0xff]!, true);
      dv.setUint32(p + 4, word[(offset >>> 8) & 0xff]!, true);
      dv.setUint32(p + 6, word[offset & 0xff]!, true);
      return p + 8;
    }
    let s = offset.toString(16);
    if (this.upper) s = s.toUpperCase();
    for (let k = 0; k < s.length; k++) out[p++] = s.charCodeAt(k);
    out[p] = SPACE;
    out[p + 1] = SPACE;
    return p;
  }

  private writeLine(
    input: Uint8Array,
    i: number,
    k: number,
    n: number,
    out: Uint8Array,
    dv: DataView,
    p: number,
  ): number {
    const word = this.hexWord;
    const advance = this.advance;
    p = this.writeOffset(out, dv, p, this.offset) + 2;
    const hexStart = p;
    for (let j = 0; j < k; j++) {
      dv.setUint32(p, word[input[i + j]!]!, true);
      p += advance[j]!;
    }
    if (k < this.columns && k > 0) p -= this.sepAfter[k - 1]!;
    if (!this.glyphs) {
      out[p++] = NEWLINE;
      return p;
    }
    // Pad a short last line so its text column lines up with the others.
    const end = hexStart + this.hexWidth;
    while (p < end) out[p++] = SPACE;
    out[p] = SPACE;
    out[p + 1] = SPACE;
    out[p + 2] = BAR;
    p = this.writeText(input, i, k, n, out, dv, p + 3);
    out[p] = BAR;
    out[p + 1] = NEWLINE;
    return p + 2;
  }

  /**
   * The common case: a full line whose next byte is present. The hex column and the simple
   * glyphs go through the unrolled writers; a byte that needs real decoding (a UTF-8 or GBK
   * lead byte) goes through `writeChar`.
   */
  private writeFullLine(
    input: Uint8Array,
    i: number,
    n: number,
    out: Uint8Array,
    dv: DataView,
    p: number,
  ): number {
    const ph = this.writeOffset(out, dv, p, this.offset) + 2;
    const g = this.glyphs;
    if (!g) {
      this.fast.hex(input, i, dv, ph, this.hexWord);
      out[ph + this.hexWidth] = NEWLINE;
      return ph + this.hexWidth + 1;
    }
    // The last hex store leaves two spaces before the bar.
    let pt = ph + this.hexWidth + 3;
    out[pt - 1] = BAR;
    if (g.mode === 'table')
      pt = this.fast.table(input, i, dv, ph, this.hexWord, pt, g.tableWord, g.tableLength);
    else {
      const skip = this.pendingCells;
      let m = 0;
      const open = this.open;
      if (open?.lead !== undefined) {
        m = Math.min(open.leadWidth, skip);
        pt = this.writeLead(open, out, pt);
      }
      for (; m < skip; m++) out[pt++] = this.pendingFill;
      this.pendingCells = 0;
      pt = this.fast.pair(
        input,
        i,
        dv,
        ph,
        this.hexWord,
        pt,
        out,
        g.simplePair,
        CONTINUATION_BIT,
        this,
        n,
        skip,
      );
    }
    out[pt] = BAR;
    out[pt + 1] = NEWLINE;
    return pt + 2;
  }

  /** Cells of the current line that the last `writeChar` used (read by the line writers). */
  charCells = 0;

  /**
   * The glyph of the character at `input[at]`, with `room` cells left on the line: the glyph and
   * blanks for its other bytes, or dots. Cells past the line end carry over to the next line.
   * Public only for the generated line writers.
   */
  writeChar(input: Uint8Array, at: number, room: number, n: number, out: Uint8Array, p: number): number {
    const g = this.glyphs!;
    const r = g.decodeAt(input, at, n);
    let cells = r > 0 ? r : -r;
    if (r < 0 && n - at <= g.lookahead && this.open !== undefined && g.unfinished(input, at, n)) {
      // The chunk ends inside this character: blanks here, the next chunk draws it.
      cells = n - at;
      this.open.held = cells;
      const inLine = Math.min(cells, room);
      for (let m = 0; m < inLine; m++) out[p++] = SPACE;
      this.pendingFill = SPACE;
      this.pendingCells = cells - inLine;
      this.charCells = inLine;
      return p;
    }
    const inLine = Math.min(cells, room);
    if (r > 0) {
      if (g.mode === 'utf8') for (let m = 0; m < r; m++) out[p++] = input[at + m]!;
      else p += asBuffer(out).write(g.glyph, p, 'utf8');
      // Cells after the first: covered by the glyph's width, then blanks.
      for (let m = g.width; m < inLine; m++) out[p++] = SPACE;
      this.pendingFill = SPACE;
    } else {
      for (let m = 0; m < inLine; m++) out[p++] = 0x2e;
      this.pendingFill = 0x2e;
    }
    this.pendingCells = cells - inLine;
    this.charCells = inLine;
    return p;
  }

  /** The text column for `input[i, i+k)`; a character may read up to `n`. */
  private writeText(
    input: Uint8Array,
    i: number,
    k: number,
    n: number,
    out: Uint8Array,
    dv: DataView,
    p: number,
  ): number {
    const g = this.glyphs!;
    let j = 0;
    const open = this.open;
    if (open?.lead !== undefined) {
      // The cells the glyph's width covers.
      j = Math.min(open.leadWidth, this.pendingCells, k);
      this.pendingCells -= j;
      p = this.writeLead(open, out, p);
    }
    while (this.pendingCells > 0 && j < k) {
      out[p++] = this.pendingFill;
      this.pendingCells--;
      j++;
    }
    if (g.mode === 'table') {
      const word = g.tableWord;
      const len = g.tableLength;
      for (; j < k; j++) {
        const b = input[i + j]!;
        dv.setUint32(p, word[b]!, true);
        p += len[b]!;
      }
      return p;
    }
    const simple = g.simple;
    const pair = g.simplePair;
    // The byte after the last one may not exist: the pair lookup stops one short of `n`.
    const pairEnd = Math.min(k, n - i - 1);
    while (j < k) {
      const c =
        j < pairEnd ? pair[input[i + j]! | CONTINUATION_BIT[input[i + j + 1]!]!]! : simple[input[i + j]!]!;
      if (c !== 0) {
        out[p++] = c;
        j++;
        continue;
      }
      p = this.writeChar(input, i + j, k - j, n, out, p);
      j += this.charCells;
    }
    return p;
  }

  /** Structured rows for views that style cells; same decisions as the plain output. */
  rows(input: Uint8Array): HexDumpRow[] {
    const cols = this.columns;
    const n = input.length;
    if (!this.started && n > 0 && this.glyphs) {
      this.glyphs.sniff(input);
      this.started = true;
    }
    const rows: HexDumpRow[] = [];
    let last: Extract<HexDumpRow, { kind: 'squeeze' }> | undefined;
    for (let i = 0; i < n; i += cols) {
      const k = Math.min(cols, n - i);
      const text = this.glyphs ? this.textCells(input, i, k, n) : [];
      if (this.squeeze && k === cols && i >= cols && this.sameAsPrevious(input, i, true)) {
        if (last) last.lines++;
        else {
          last = { kind: 'squeeze', offset: this.offset, lines: 1 };
          rows.push(last);
        }
      } else {
        last = undefined;
        const scratch = Buffer.allocUnsafe(this.lineBound);
        const end = this.writeHexOnly(input, i, k, scratch);
        rows.push({
          kind: 'data',
          offset: this.offset,
          bytes: input.subarray(i, i + k),
          hex: scratch.toString('latin1', 0, end),
          text,
        });
      }
      this.offset += k;
    }
    return rows;
  }

  private writeHexOnly(input: Uint8Array, i: number, k: number, out: Buffer): number {
    let p = 0;
    for (let j = 0; j < k; j++) {
      const b = input[i + j]!;
      out[p++] = this.hi[b]!;
      out[p++] = this.lo[b]!;
      let s = j < k - 1 ? this.sepAfter[j]! : 0;
      while (s-- > 0) out[p++] = SPACE;
    }
    const width = this.hexWidth;
    while (p < width) out[p++] = SPACE;
    return p;
  }

  private textCells(input: Uint8Array, i: number, k: number, n: number): TextCell[] {
    const g = this.glyphs!;
    const cells: TextCell[] = [];
    let j = 0;
    while (this.pendingCells > 0 && j < k) {
      cells.push({
        glyph: String.fromCharCode(this.pendingFill),
        kind: this.pendingFill === SPACE ? 'fill' : 'dot',
      });
      this.pendingCells--;
      j++;
    }
    while (j < k) {
      const b = input[i + j]!;
      if (g.mode === 'table' || g.simple[b] !== 0) {
        const glyph = g.mode === 'table' ? g.tableText[b]! : String.fromCharCode(g.simple[b]!);
        cells.push({ glyph, kind: glyph === '.' && b !== 0x2e ? 'dot' : 'char' });
        j++;
        continue;
      }
      const r = g.decodeAt(input, i + j, n);
      const count = r > 0 ? r : -r;
      const inLine = Math.min(count, k - j);
      if (r > 0) {
        const glyph = g.mode === 'utf8' ? asBuffer(input).toString('utf8', i + j, i + j + r) : g.glyph;
        cells.push({ glyph, kind: 'char' });
        for (let m = 1; m < inLine; m++)
          cells.push(m < g.width ? { glyph: '', kind: 'covered' } : { glyph: ' ', kind: 'fill' });
        this.pendingFill = SPACE;
      } else {
        for (let m = 0; m < inLine; m++) cells.push({ glyph: '.', kind: 'dot' });
        this.pendingFill = 0x2e;
      }
      this.pendingCells = count - inLine;
      j += inLine;
    }
    return cells;
  }
}

/** Dumps a whole byte string to text. */
export function hexdump(bytes: Uint8Array, options: HexDumpOptions = {}): string {
  const dumper = new HexDumper(options);
  const out = Buffer.allocUnsafe(dumper.outputBound(bytes.length));
  const { written } = dumper.formatInto(bytes, true, out);
  return out.toString('utf8', 0, written);
}

/** The same dump as rows with styled cells, for the TUI. */
export function hexdumpRows(bytes: Uint8Array, options: HexDumpOptions = {}): HexDumpRow[] {
  return new HexDumper(options).rows(bytes);
}
