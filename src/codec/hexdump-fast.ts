/**
 * The fast path of the hex dump: line writers unrolled for one layout, for a full line whose
 * next byte is present (what almost every line of a large dump is). Every output position of the
 * hex column is a constant, the line's bytes are read four at a time, and the UTF-8 text column
 * is decided four bytes at a time where no character needs decoding. What they write is exactly
 * what the general writers (hexdump-text.ts, `LineWriter.writeLine`) write for the same line; the
 * tests check it on random bytes and layouts.
 *
 * The code is generated from the integers of the layout only (no input reaches it), and cached
 * per layout: V8 compiles each byte to a few loads and stores with constant offsets.
 */

/** What the UTF-8 writer calls for a word of the line that holds a character to decode. */
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

export interface FastWriters {
  /** Writes a full line's hex column (and two spaces after it) at `ph`. */
  hex(input: Uint8Array, iv: DataView, i: number, dv: DataView, ph: number, word: Uint32Array): void;
  /** Hex column at `ph` and glyphs from a single-byte table at `pt`; returns the text's end. */
  table(
    input: Uint8Array,
    iv: DataView,
    i: number,
    dv: DataView,
    ph: number,
    word: Uint32Array,
    pt: number,
    tword: Uint32Array,
    tlen: Uint8Array,
  ): number;
  /**
   * Hex column at `ph` and the UTF-8 text column at `pt`, for a line that no character of the
   * line before covers and whose next byte is `input[i + columns]` (`n` > i + columns). Returns
   * the text's end.
   */
  utf8(
    input: Uint8Array,
    iv: DataView,
    i: number,
    dv: DataView,
    ph: number,
    word: Uint32Array,
    pt: number,
    out: Uint8Array,
    text: CellWriter,
    n: number,
  ): number;
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

export function fastWriters(columns: number, advance: Uint8Array): FastWriters {
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
  const hex: string[] = [];
  let at = 0;
  for (let j = 0; j < columns; j++) {
    hex.push(`dv.setUint32(ph + ${at}, word[${byte(j)}], true);`);
    at += advance[j]!;
  }
  const head = [...loads, ...hex].join('\n');

  const table: string[] = [];
  for (let j = 0; j < columns; j++) {
    table.push(`{ const b = ${byte(j)}; dv.setUint32(pt, tword[b], true); pt += tlen[b]; }`);
  }

  // UTF-8: a byte needs decoding when it is 11xxxxxx and the byte after it 10xxxxxx (a lead byte
  // followed by a continuation byte); any other byte is its ASCII glyph or a dot. Bit 7 of each
  // byte of `s<k>` marks the bytes of word k that need decoding.
  const utf8: string[] = [`const nb = input[i + ${columns}];`, 'let x7 = 0;', 'let m = 0;'];
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
      `else if (j < ${4 * k + 4}) { pt = text.textRange(input, i, j, ${4 * k + 4}, ${columns}, n, out, pt); j = text.cell; }`,
    );
  }
  if (4 * words < columns)
    utf8.push(`if (j < ${columns}) pt = text.textRange(input, i, j, ${columns}, ${columns}, n, out, pt);`);

  return {
    hex: new Function('input', 'iv', 'i', 'dv', 'ph', 'word', head) as FastWriters['hex'],
    table: new Function(
      'input',
      'iv',
      'i',
      'dv',
      'ph',
      'word',
      'pt',
      'tword',
      'tlen',
      `${head}\n${table.join('\n')}\nreturn pt;`,
    ) as FastWriters['table'],
    utf8: new Function(
      'input',
      'iv',
      'i',
      'dv',
      'ph',
      'word',
      'pt',
      'out',
      'text',
      'n',
      `${head}\n${utf8.join('\n')}\nreturn pt;`,
    ) as FastWriters['utf8'],
  };
}
