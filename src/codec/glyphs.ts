import { eastAsianWidth } from 'get-east-asian-width';
import iconv from 'iconv-lite';
import { asBuffer, baseEncoding, DEFAULT_ENCODING, resolveEncoding } from './text.js';

/**
 * The text column of a hex dump: which glyph each byte shows in a given encoding. A character
 * of several bytes shows once, in the cell of its first byte; the cells of its other bytes are
 * covered by its width (a CJK character is two columns wide) or blank. Bytes that are not a
 * printable character show as `.`.
 */

const DOT = 0x2e;

/** `.` for ASCII controls and DEL, the character itself for the printable range. */
export const ASCII_GLYPH = new Uint8Array(128);
for (let b = 0; b < 128; b++) ASCII_GLYPH[b] = b >= 0x20 && b < 0x7f ? b : DOT;

/** 256 for a UTF-8 continuation byte (10xxxxxx), else 0: an index offset into `simplePair`. */
export const CONTINUATION_BIT = new Uint16Array(256);
for (let b = 0x80; b < 0xc0; b++) CONTINUATION_BIT[b] = 256;

/**
 * What the text column shows as dots: controls, formats, unassigned and private-use code points,
 * surrogates, line and paragraph separators, combining marks (which would fall on the cell
 * before), and default-ignorable code points (which terminals draw as nothing: U+115F, U+200B).
 * Everything a terminal draws with no width is among them, so a shown glyph never takes 0 cells.
 */
const NON_PRINTABLE = /[\p{C}\p{Zl}\p{Zp}\p{M}\p{Default_Ignorable_Code_Point}]/u;

// By code point, for all of Unicode (binary data is full of four-byte sequences too, and each
// miss costs a string and a regex test): 0 = not looked at yet, 1 = not printable, 2 = one
// column, 3 = two columns. Its pages are touched only where code points are looked up.
const WIDTH = new Uint8Array(0x110000);

/**
 * Terminal columns a code point takes in the text column: 0 when it is shown as dots. The width
 * of a shown code point is its East Asian Width (wide and fullwidth: 2), from the same package
 * and table that ink's layout (string-width) uses, so the screen's rows line up with what it
 * measures; the tests compare the two over the BMP and planes 1 and 2.
 */
export function glyphWidth(cp: number): 0 | 1 | 2 {
  if (cp > 0x10ffff) return 0;
  let w = WIDTH[cp]!;
  if (w === 0) {
    w = classify(cp);
    WIDTH[cp] = w;
  }
  return (w - 1) as 0 | 1 | 2;
}

function classify(cp: number): 1 | 2 | 3 {
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp === 0xfffd || cp > 0x10ffff) return 1;
  if (NON_PRINTABLE.test(String.fromCodePoint(cp))) return 1;
  return eastAsianWidth(cp) === 2 ? 3 : 2;
}

export type GlyphMode = 'table' | 'utf8' | 'general';

const EMPTY = new Uint8Array(0);
const EMPTY32 = new Uint32Array(0);

interface Probe {
  unit: number;
  asciiCompatible: boolean;
  tableWord: Uint32Array;
  tableLength: Uint8Array;
  tableText: string[];
  simple: Uint8Array;
  simplePair: Uint8Array;
}

// What an encoding looks like to the text column, worked out once per encoding: a traffic dump
// makes a dumper per chunk.
const PROBES = new Map<string, Probe>();

function probeFor(enc: string, mode: GlyphMode): Probe {
  const key = `${mode}|${enc}`;
  let probe = PROBES.get(key);
  if (!probe) {
    probe = probeEncoding(enc, mode);
    PROBES.set(key, probe);
  }
  return probe;
}

function probeEncoding(enc: string, mode: GlyphMode): Probe {
  const unit = Math.max(1, iconv.encode('AB', enc).length - iconv.encode('A', enc).length);
  const probe: Probe = {
    unit,
    asciiCompatible: true,
    tableWord: EMPTY32,
    tableLength: EMPTY,
    tableText: [],
    simple: new Uint8Array(256),
    simplePair: new Uint8Array(512),
  };
  if (mode === 'table') {
    probe.tableWord = new Uint32Array(256);
    probe.tableLength = new Uint8Array(256);
    for (let b = 0; b < 256; b++) {
      const ch = iconv.decode(Buffer.of(b), enc);
      const cp = ch.codePointAt(0) ?? 0xfffd;
      const shown = ch.length === 1 && glyphWidth(cp) > 0 ? ch : '.';
      const bytes = Buffer.from(shown, 'utf8');
      probe.tableText.push(shown);
      probe.tableLength[b] = bytes.length;
      // Up to 3 UTF-8 bytes packed little-endian, so the dump writes any glyph with one store.
      probe.tableWord[b] = (bytes[0] ?? 0) | ((bytes[1] ?? 0) << 8) | ((bytes[2] ?? 0) << 16);
    }
    probe.asciiCompatible = false;
  } else if (mode === 'general') {
    // Bytes below 0x80 may take the ASCII shortcut when each decodes to itself. (In GBK or
    // Shift_JIS such a byte can also be a trail byte, but trail bytes are consumed with their
    // lead byte, which is >= 0x80.)
    const ascii = Buffer.from(Array.from({ length: 0x60 }, (_, k) => 0x20 + k));
    probe.asciiCompatible = unit === 1 && iconv.decode(ascii, enc) === ascii.toString('latin1');
  }
  const { simple, simplePair } = probe;
  for (let b = 0; b < 256; b++) {
    if (mode === 'utf8') simple[b] = b < 0x80 ? ASCII_GLYPH[b]! : b < 0xc2 || b > 0xf4 ? DOT : 0;
    else if (mode === 'general') simple[b] = b < 0x80 && probe.asciiCompatible ? ASCII_GLYPH[b]! : 0;
    simplePair[b] = simple[b] || (mode === 'utf8' ? DOT : 0);
    simplePair[b + 256] = simple[b]!;
  }
  return probe;
}

/**
 * Decides glyphs for one encoding. `table` (single-byte encodings) maps each byte through a
 * 256-entry table; `utf8` checks sequences by hand; `general` (GBK, Shift_JIS, Big5, UTF-16...)
 * asks iconv-lite one character at a time.
 */
export class GlyphDecoder {
  readonly encoding: string;
  readonly mode: GlyphMode;
  /** Bytes past a line's end that may be needed to finish its last character. */
  readonly lookahead: number;
  /** Bytes below 0x80 are ASCII characters, so `ASCII_GLYPH` applies. */
  readonly asciiCompatible: boolean;
  /** Code unit size: 2 for UTF-16, 4 for UTF-32; an undecodable unit shows this many dots. */
  readonly unit: number;
  /** Table mode: the UTF-8 bytes of each byte's glyph (up to 3), and how many. */
  readonly tableWord: Uint32Array;
  readonly tableLength: Uint8Array;
  /**
   * The one-byte glyph of each byte that can only ever be a character on its own (ASCII, or a
   * byte that never starts a UTF-8 sequence, shown as `.`); 0 where `decodeAt` must decide.
   */
  readonly simple: Uint8Array;
  /**
   * `simple` indexed by a byte plus 256 when the byte after it is a UTF-8 continuation byte:
   * a lead byte that is not followed by one is a `.` without further ado. Branch-free, which
   * matters on binary data where these bytes come at random.
   */
  readonly simplePair: Uint8Array;
  readonly tableText: readonly string[];

  /** Set by `decodeAt` for a printable character: its text (general mode) and columns. */
  glyph = '';
  width = 0;
  /** Set by `decodeAt` in general mode: the bytes ended before it could decide (see `unfinished`). */
  private cut = false;

  private decoderName: string;
  private autoEndian: 'utf16' | 'utf32' | undefined;

  constructor(encoding: string = DEFAULT_ENCODING) {
    this.encoding = resolveEncoding(encoding);
    // resolveEncoding has refused hex and base64, which are no character encodings.
    const base = baseEncoding(this.encoding);
    this.decoderName = this.encoding;
    this.autoEndian = base === 'utf16' ? 'utf16' : base === 'utf32' || base === 'ucs4' ? 'utf32' : undefined;
    if (this.autoEndian) this.decoderName = `${this.autoEndian}le`;
    const codec = iconv.getCodec(this.decoderName) as { decodeBuf?: unknown };
    if (base === 'utf8' || base === 'unicode11utf8') this.mode = 'utf8';
    else if (codec.decodeBuf !== undefined || base === 'binary') this.mode = 'table';
    else this.mode = 'general';
    // A character takes up to 4 bytes; CESU-8 writes one beyond U+FFFF as two 3-byte surrogates.
    this.lookahead = this.mode === 'table' ? 0 : base === 'cesu8' ? 5 : 3;
    // Shared by every decoder of the encoding: none of them changes its tables.
    const probe = probeFor(this.decoderName, this.mode);
    this.unit = probe.unit;
    this.asciiCompatible = probe.asciiCompatible;
    this.tableWord = probe.tableWord;
    this.tableLength = probe.tableLength;
    this.tableText = probe.tableText;
    this.simple = probe.simple;
    this.simplePair = probe.simplePair;
  }

  /**
   * UTF-16 and UTF-32 without a byte order in the name follow the data's BOM, as iconv-lite
   * does; with none, little-endian. Call with the first bytes of the stream.
   */
  sniff(first: Uint8Array): void {
    if (!this.autoEndian || first.length < 2) return;
    const be =
      this.autoEndian === 'utf16'
        ? first[0] === 0xfe && first[1] === 0xff
        : first[0] === 0 && first[1] === 0 && first[2] === 0xfe && first[3] === 0xff;
    this.decoderName = `${this.autoEndian}${be ? 'be' : 'le'}`;
    this.autoEndian = undefined;
  }

  /**
   * Decodes the character that starts at `buf[i]` (UTF-8 and general modes; table mode reads
   * its tables directly), looking no further than `end`.
   * Returns n > 0 for a printable character of n bytes (then `width`, and `glyph` in general
   * mode, are set), or -n for n bytes to show as dots.
   */
  decodeAt(buf: Uint8Array, i: number, end: number): number {
    return this.mode === 'utf8' ? this.decodeUtf8(buf, i, end) : this.decodeGeneral(buf, i, end);
  }

  /**
   * Call after `decodeAt(buf, i, end)` returned dots: whether `buf[i, end)` is the beginning of
   * a character that more bytes could finish (a stream cut inside a character), rather than
   * bytes that are no character whatever follows them. Always false in table mode.
   */
  unfinished(buf: Uint8Array, i: number, end: number): boolean {
    const n = end - i;
    if (this.mode === 'general') return this.cut;
    if (this.mode === 'table' || n < 1 || n > this.lookahead) return false;
    const b0 = buf[i]!;
    const need = b0 < 0xc2 ? 0 : b0 < 0xe0 ? 2 : b0 < 0xf0 ? 3 : b0 < 0xf5 ? 4 : 0;
    if (n >= need) return false;
    if (n > 1) {
      const b1 = buf[i + 1]!;
      const lo = b0 === 0xe0 ? 0xa0 : b0 === 0xf0 ? 0x90 : 0x80;
      const hi = b0 === 0xed ? 0x9f : b0 === 0xf4 ? 0x8f : 0xbf;
      if (b1 < lo || b1 > hi) return false;
    }
    return n < 3 || (buf[i + 2]! & 0xc0) === 0x80;
  }

  private decodeUtf8(buf: Uint8Array, i: number, end: number): number {
    const b0 = buf[i]!;
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b0 < 0x80) {
      this.width = 1;
      return ASCII_GLYPH[b0] === DOT && b0 !== DOT ? -1 : 1;
    }
    if (b0 < 0xc2) return -1;
    if (b0 < 0xe0) need = 2;
    else if (b0 < 0xf0) {
      need = 3;
      if (b0 === 0xe0) lo = 0xa0;
      else if (b0 === 0xed) hi = 0x9f;
    } else if (b0 < 0xf5) {
      need = 4;
      if (b0 === 0xf0) lo = 0x90;
      else if (b0 === 0xf4) hi = 0x8f;
    } else return -1;
    if (i + need > end) return -1;
    const b1 = buf[i + 1]!;
    if (b1 < lo || b1 > hi) return -1;
    let cp: number;
    if (need === 2) cp = ((b0 & 0x1f) << 6) | (b1 & 0x3f);
    else {
      const b2 = buf[i + 2]!;
      if ((b2 & 0xc0) !== 0x80) return -1;
      if (need === 3) cp = ((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f);
      else {
        const b3 = buf[i + 3]!;
        if ((b3 & 0xc0) !== 0x80) return -1;
        cp = ((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f);
      }
    }
    const w = glyphWidth(cp);
    if (w === 0) return -need;
    this.width = w;
    return need;
  }

  private decodeGeneral(buf: Uint8Array, i: number, end: number): number {
    const bytes = asBuffer(buf);
    // A fresh decoder per character: the column must not depend on what came before a line.
    const decoder = iconv.getDecoder(this.decoderName, { stripBOM: false });
    const max = Math.min(this.lookahead + 1, end - i);
    // A high surrogate (U+D800-U+DBFF) that came out on its own, and the bytes it took: UTF-16
    // and CESU-8 give the two halves of a character beyond U+FFFF one at a time.
    let high = '';
    let highBytes = 0;
    this.cut = false;
    for (let k = 1; k <= max; k++) {
      let s = decoder.write(bytes.subarray(i + k - 1, i + k));
      if (s.length === 0) continue;
      const u = s.charCodeAt(0);
      if (highBytes > 0) {
        if (s.length !== 1 || u < 0xdc00 || u > 0xdfff) return -highBytes;
        s = high + s;
      } else if (s.length === 1 && u >= 0xd800 && u <= 0xdbff) {
        // GB18030's decoder, fed a byte at a time, drops the low half of a four-byte character
        // (its output is sized by the byte it was given): those bytes, decoded together, say so.
        const whole = iconv.getDecoder(this.decoderName, { stripBOM: false }).write(bytes.subarray(i, i + k));
        if (whole.length !== 2 || whole.charCodeAt(0) !== u) {
          high = s;
          highBytes = k;
          continue;
        }
        s = whole;
      }
      const cp = s.codePointAt(0)!;
      if (s.length !== (cp > 0xffff ? 2 : 1) || cp === 0xfffd) return -Math.min(this.unit, end - i);
      const w = glyphWidth(cp);
      if (w === 0) return -k;
      this.glyph = s;
      this.width = w;
      return k;
    }
    // Nothing decided (or a high surrogate waiting for its low half) when the bytes ran out.
    this.cut = end - i <= this.lookahead;
    // A high surrogate with no low one after it is not a character: dots for its bytes alone.
    return -(highBytes || Math.min(this.unit, end - i));
  }
}
