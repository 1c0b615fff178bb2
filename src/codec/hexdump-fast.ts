/**
 * The fast path of the hex dump: line writers unrolled for one layout, for a full line whose
 * next byte is present (what almost every line of a large dump is). Every output position of the
 * hex column is a constant, the line's bytes are read four at a time, the hex of two bytes is
 * one 64-bit store from a table, and the UTF-8 text column is decided four bytes at a time
 * where no character needs decoding. What they write is exactly what the general writers
 * (hexdump-text.ts, `LineWriter.writeLine`) write for the same line; the tests check it on
 * random bytes and layouts.
 *
 * The code is generated from the integers of the layout only (no input reaches it), and cached
 * per layout: V8 compiles each byte to a few loads and stores with constant offsets.
 */

/** The byte-to-hex tables a layout makes and the fast writers read. */
export interface HexTables {
  /** The high and low hex digit of each byte value. */
  hi: Uint8Array;
  lo: Uint8Array;
  /**
   * Two digits and two spaces packed little-endian: one 32-bit store writes a byte's hex and
   * its separator; the next store overwrites whatever spaces are not wanted.
   */
  word: Uint32Array;
  /**
   * Two bytes' hex at once, by `b0 | b1 << 8`: `[h0 l0 (s spaces) h1 l1 spaces...]` in 8 bytes
   * for one 64-bit store, for an inner separator of `s` = 0, 1 or 2 spaces (made when first
   * needed: 512 KiB each). Every byte is ASCII, so each entry is a plain finite double whose
   * bits go through loads and stores unchanged.
   */
  pairs: (Float64Array | undefined)[];
  upper: boolean;
}

/** What the UTF-8 writer calls (the dump's TextColumn) for cells that hold a character to decode. */
export interface CellWriter {
  /**
   * Writes the text cells `[j, end)` of the line of `k` bytes at `input[i]` from `out[p]`
   * (a character may cover cells past `end`); returns the output position and sets `cell` to
   * the first cell not yet covered.
   */
  textRange(
    input: Uint8Array,
    i: number,
    j: number,
    end: number,
    k: number,
    n: number,
    out: Uint8Array,
    p: number,
  ): number;
  cell: number;
}

/** Where a run of lines stopped, for its caller. */
export interface RunState {
  /** The first line not written. */
  i: number;
  /** UTF-8: `pendingFill` when the last line written began (its `pendingCells` was 0). */
  state: number;
}

/**
 * Writes lines `input[i..]` while `i <= last` (the caller makes sure every such line is full,
 * has its next byte below `n`, and has an offset below 2^32), from `out[p]`, the first at file
 * offset `off`; returns the output position and sets `st`. It stops early at a line that may
 * repeat the one before it (its first bytes do, when `squeeze`), or (UTF-8) that a character of
 * the line before covers: the caller's general loop takes that line.
 */
export type RunLines = (
  input: Uint8Array,
  iv: DataView,
  i: number,
  last: number,
  n: number,
  out: Uint8Array,
  dv: DataView,
  p: number,
  off: number,
  t: HexTables,
  text: CellWriter | undefined,
  squeeze: boolean,
  st: RunState,
) => number;

export interface FastWriters {
  /** Writes a full line's hex column (and at least two spaces after it) at `ph`. */
  hex(input: Uint8Array, iv: DataView, i: number, dv: DataView, ph: number, t: HexTables): void;
  /** Runs of lines with no text column, a single-byte table's, and UTF-8's. */
  runHex: RunLines;
  runTable: RunLines;
  runUtf8: RunLines;
}

/**
 * Four glyphs at once from four bytes `x` (little-endian): printable ASCII (0x20..0x7e) as
 * itself, anything else as `.`. Each byte's bit 7 says "printable" after the adds, which
 * cannot carry from one byte into the next (bit 7 is cleared first).
 */
const GLYPH4 =
  'x7 = X & 0x7f7f7f7f; ' +
  'm = Math.imul((((x7 + 0x60606060) & ~(x7 + 0x01010101) & ~X & 0x80808080) >>> 7), 255); ' +
  'dv.setInt32(Q, (X & m) | (0x2e2e2e2e & ~m), true);';

export function fastWriters(columns: number, sepAfter: Uint8Array): FastWriters {
  const words = columns >> 2;
  const loads: string[] = [];
  for (let k = 0; k < words; k++) loads.push(`const w${k} = iv.getInt32(i + ${4 * k}, true);`);
  for (let j = 4 * words; j < columns; j++) loads.push(`const b${j} = input[i + ${j}];`);
  const byte = (j: number): string => {
    if (j >= 4 * words) return `b${j}`;
    const w = `w${j >> 2}`;
    const shift = (j & 3) * 8;
    return shift === 0 ? `(${w} & 255)` : shift === 24 ? `(${w} >>> 24)` : `((${w} >>> ${shift}) & 255)`;
  };
  // Two bytes at a time: `pair<s>[b0 | b1 << 8]` holds both bytes' hex with `s` spaces between
  // and spaces after, which the next store overwrites where they are not wanted; a last odd byte
  // takes `word[b]` (its hex and two spaces). Either leaves two spaces after the column.
  const pair = (j: number): string => {
    if (j + 1 < 4 * words) {
      const w = `w${j >> 2}`;
      return (j & 3) === 0 ? `(${w} & 65535)` : `(${w} >>> 16)`;
    }
    return `(${byte(j)} | (${byte(j + 1)} << 8))`;
  };
  const hexTables: string[] = [];
  for (const s of new Set(Array.from({ length: columns >> 1 }, (_, k) => sepAfter[2 * k]!)))
    hexTables.push(`const pair${s} = t.pairs[${s}];`);
  const hex: string[] = [];
  let at = 0;
  for (let j = 0; j < columns; j += 2) {
    if (j + 1 < columns) {
      hex.push(`dv.setFloat64(ph + ${at}, pair${sepAfter[j]}[${pair(j)}], true);`);
      at += 4 + sepAfter[j]! + sepAfter[j + 1]!;
    } else hex.push(`dv.setUint32(ph + ${at}, word[${byte(j)}], true);`);
  }
  const head = [...loads, ...hex].join('\n');
  // Where the hex column ends, from the start of a line with an 8-digit offset.
  const hexEnd = 10 + at + (columns & 1 ? 2 : 0);

  const table: string[] = [`let pt = p + ${hexEnd + 3};`];
  for (let j = 0; j < columns; j++) {
    table.push(`{ const b = ${byte(j)}; dv.setUint32(pt, tword[b], true); pt += tlen[b]; }`);
  }

  // UTF-8: a byte needs decoding when it is 11xxxxxx and the byte after it 10xxxxxx (a lead byte
  // followed by a continuation byte); any other byte is its ASCII glyph or a dot. Bit 7 of each
  // byte of `s<k>` marks the bytes of word k that need decoding.
  const utf8: string[] = [`const nb = input[i + ${columns}];`, `let pt = p + ${hexEnd + 3};`];
  for (let k = 0; k < words; k++) utf8.push(`const c${k} = w${k} & ~(w${k} << 1) & 0x80808080;`);
  const firstAfterWords = 4 * words < columns ? `b${4 * words}` : 'nb';
  for (let k = 0; k < words; k++) {
    const next =
      k + 1 < words ? `(c${k + 1} << 24)` : `((${firstAfterWords} & 0xc0) === 0x80 ? 0x80000000 : 0)`;
    utf8.push(`const s${k} = w${k} & (w${k} << 1) & 0x80808080 & ((c${k} >>> 8) | ${next});`);
  }
  utf8.push('let j = 0;');
  for (let k = 0; k < words; k++) {
    const glyphs = GLYPH4.replaceAll('X', `w${k}`).replace('Q', 'pt');
    utf8.push(
      `if (s${k} === 0 && j === ${4 * k}) { ${glyphs} pt += 4; j = ${4 * k + 4}; }`,
      `else if (j < ${4 * k + 4}) {`,
    );
    // A word with a character in it: byte by byte, the others as glyphs from `sp`.
    for (let m = 0; m < 4; m++) {
      const at = 4 * k + m;
      utf8.push(
        `if (j === ${at}) {`,
        `if ((s${k} & ${0x80 << (8 * m)}) === 0) { out[pt++] = sp[${byte(at)}]; j = ${at + 1}; }`,
        `else { pt = text.utf8Char(input, i + ${at}, ${columns - at}, n, out, pt); j = ${at} + text.charCells; }`,
        '}',
      );
    }
    utf8.push('}');
  }
  if (4 * words < columns)
    utf8.push(`if (j < ${columns}) pt = text.textRange(input, i, j, ${columns}, ${columns}, n, out, pt);`);

  const same = words > 0 ? `w0 === iv.getInt32(i - ${columns}, true)` : `input[i] === input[i - ${columns}]`;
  const run = (prologue: string, lineStart: string, body: string[] | undefined): RunLines => {
    const end = body
      ? `${body.join('\n')}\nout[p + ${hexEnd + 2}] = 124; out[pt] = 124; out[pt + 1] = 10; p = pt + 2;`
      : `out[p + ${hexEnd}] = 10; p += ${hexEnd + 1};`;
    const src = [
      'const word = t.word;',
      ...hexTables,
      prologue,
      'let x7 = 0; let m = 0; let start = st.state;',
      `for (; i <= last; i += ${columns}, off += ${columns}) {`,
      loads.join('\n'),
      `if (squeeze && i >= ${columns} && ${same}) break;`,
      lineStart,
      // The offset, 8 digits: 4 stores of two digits and two spaces, each overwriting the last's spaces.
      'dv.setUint32(p, word[off >>> 24], true); dv.setUint32(p + 2, word[(off >>> 16) & 255], true);',
      'dv.setUint32(p + 4, word[(off >>> 8) & 255], true); dv.setUint32(p + 6, word[off & 255], true);',
      hex.join('\n'),
      end,
      '}',
      'st.i = i; st.state = start; return p;',
    ]
      .join('\n')
      .replaceAll('ph + ', 'p + 10 + ');
    return new Function(...RUN_PARAMS, src) as RunLines;
  };

  return {
    hex: new Function(
      'input',
      'iv',
      'i',
      'dv',
      'ph',
      't',
      ['const word = t.word;', ...hexTables, head].join('\n'),
    ) as FastWriters['hex'],
    runHex: run('', '', undefined),
    runTable: run('const g = text.glyphs; const tword = g.tableWord; const tlen = g.tableLength;', '', table),
    runUtf8: run(
      'const sp = text.glyphs.simplePair;',
      'if (text.pendingCells !== 0) break; start = text.pendingFill;',
      utf8,
    ),
  };
}

const RUN_PARAMS = ['input', 'iv', 'i', 'last', 'n', 'out', 'dv', 'p', 'off', 't', 'text', 'squeeze', 'st'];
