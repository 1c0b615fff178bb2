import { CONTINUATION_BIT, type GlyphDecoder, glyphWidth } from './glyphs.js';
import { DOT, SPACE } from './hexdump-layout.js';
import { asBuffer } from './text.js';

/**
 * The text column of a hex dump, the general way: cell by cell, a character in the cell of its
 * first byte, blanks (or the glyph's width) over the cells of its other bytes, dots for bytes
 * that are no printable character. It keeps what crosses from one line into the next: the cells
 * of the next line that a character begun on this one covers.
 */

/** What `HexDumper.formatChunk` keeps while it formats a chunk of a stream. */
export interface OpenChunk {
  /** Bytes at the end that begin a character the chunk does not finish (blanks, not dots). */
  held: number;
  /** The glyphs of the character begun before the chunk, for its first cell, until written. */
  lead: string | undefined;
  /** Their width in columns: the cells of the chunk they cover. */
  leadWidth: number;
}

/** Where a chunk's first character is put together from the bytes held before it. */
const HEAD = Buffer.alloc(16);

export class TextColumn {
  readonly glyphs: GlyphDecoder;
  /** Cells at the start of the next line that belong to a character begun on this one. */
  pendingCells = 0;
  /** What those cells show: blanks after a character, dots after bytes that are none. */
  pendingFill = SPACE;
  /** Cells of the current line that the last `writeChar` used. */
  charCells = 0;
  /** Set while `HexDumper.formatChunk` runs. */
  open: OpenChunk | undefined;

  constructor(glyphs: GlyphDecoder) {
    this.glyphs = glyphs;
  }

  /** The text column for `input[i, i+k)`; a character may read up to `n`. */
  writeText(
    input: Uint8Array,
    i: number,
    k: number,
    n: number,
    out: Uint8Array,
    dv: DataView,
    p: number,
  ): number {
    const g = this.glyphs;
    let j = 0;
    const open = this.open;
    if (open?.lead !== undefined) {
      // The cells the glyph's width covers.
      j = Math.min(open.leadWidth, this.pendingCells, k);
      this.pendingCells -= j;
      p = this.writeLead(out, p);
    }
    while (this.pendingCells > 0 && j < k) {
      out[p++] = this.pendingFill;
      this.pendingCells--;
      j++;
    }
    if (g.mode !== 'table') return this.textRange(input, i, j, k, n, out, p);
    const word = g.tableWord;
    const len = g.tableLength;
    for (; j < k; j++) {
      const b = input[i + j]!;
      dv.setUint32(p, word[b]!, true);
      p += len[b]!;
    }
    return p;
  }

  /** The cells from `j` on of the line of `k` bytes at `input[i]` (UTF-8 and general modes). */
  private textRange(
    input: Uint8Array,
    i: number,
    j: number,
    k: number,
    n: number,
    out: Uint8Array,
    p: number,
  ): number {
    const g = this.glyphs;
    const simple = g.simple;
    const pair = g.simplePair;
    // The byte after the last one may not exist: the pair lookup stops one short of `n`.
    const pairEnd = Math.min(k, n - i - 1);
    const utf8 = g.mode === 'utf8';
    while (j < k) {
      const b = input[i + j]!;
      const c = j < pairEnd ? pair[b | CONTINUATION_BIT[input[i + j + 1]!]!]! : simple[b]!;
      if (c !== 0) {
        out[p++] = c;
        j++;
        continue;
      }
      if (utf8 && b < 0xe0 && j + 1 < k) {
        // A two-byte UTF-8 character on this line (its second byte is a continuation byte, or
        // `pair` would have given a dot): what writeChar does, without the general decoding.
        const b1 = input[i + j + 1]!;
        const w = glyphWidth(((b & 0x1f) << 6) | (b1 & 0x3f));
        if (w === 0) {
          out[p] = DOT;
          out[p + 1] = DOT;
          this.pendingFill = DOT;
        } else {
          out[p] = b;
          out[p + 1] = b1;
          out[p + 2] = SPACE;
          p += w === 1 ? 1 : 0;
          this.pendingFill = SPACE;
        }
        p += 2;
        j += 2;
        continue;
      }
      p = this.writeChar(input, i + j, k - j, n, out, p);
      j += this.charCells;
    }
    return p;
  }

  /**
   * The glyph of the character at `input[at]`, with `room` cells left on the line: the glyph and
   * blanks for its other bytes, or dots. Cells past the line end carry over to the next line.
   */
  writeChar(input: Uint8Array, at: number, room: number, n: number, out: Uint8Array, p: number): number {
    const g = this.glyphs;
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
      for (let m = 0; m < inLine; m++) out[p++] = DOT;
      this.pendingFill = DOT;
    }
    this.pendingCells = cells - inLine;
    this.charCells = inLine;
    return p;
  }

  /** The glyph of a character begun before the chunk, at a line's start; returns the output position. */
  writeLead(out: Uint8Array, p: number): number {
    const open = this.open!;
    p += asBuffer(out).write(open.lead!, p, 'utf8');
    open.lead = undefined;
    return p;
  }

  /**
   * Sets what a UTF-8 character begun before `data[contextLength]` covers of the line there,
   * from the bytes before it: every byte that is not a continuation byte starts a character or
   * a dot, so the character covering the boundary is found from the bytes just before it.
   */
  resumeAt(data: Uint8Array, contextLength: number): void {
    this.pendingCells = 0;
    if (this.glyphs.mode !== 'utf8') return;
    for (let q = contextLength - 1; q >= Math.max(0, contextLength - 3); q--) {
      if ((data[q]! & 0xc0) === 0x80) continue;
      const r = this.glyphs.decodeAt(data, q, data.length);
      const end = q + Math.abs(r);
      if (end > contextLength) {
        this.pendingCells = end - contextLength;
        this.pendingFill = r > 0 ? SPACE : DOT;
      }
      return;
    }
  }

  /**
   * Decides the character that `before` begins: the cells of `input` it covers, and its glyph
   * (or dots), drawn by the first line. When `input` ends before it does, every cell is blank
   * and all of it is held again.
   */
  continueCharacter(input: Uint8Array, before: Uint8Array, open: OpenChunk): void {
    const g = this.glyphs;
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
        this.pendingFill = r > 0 ? SPACE : DOT;
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
}
