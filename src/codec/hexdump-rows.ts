import { SPACE } from './hexdump-layout.js';
import type { TextColumn } from './hexdump-text.js';
import { asBuffer } from './text.js';

/** The dump as rows of styled cells, for views that style each cell (the TUI). */

/** One cell of the text column. */
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

/** The text cells of `input[i, i+k)`, making the same decisions as the plain text column. */
export function textCells(
  column: TextColumn,
  input: Uint8Array,
  i: number,
  k: number,
  n: number,
): TextCell[] {
  const g = column.glyphs;
  const cells: TextCell[] = [];
  let j = 0;
  while (column.pendingCells > 0 && j < k) {
    cells.push({
      glyph: String.fromCharCode(column.pendingFill),
      kind: column.pendingFill === SPACE ? 'fill' : 'dot',
    });
    column.pendingCells--;
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
      column.pendingFill = SPACE;
    } else {
      for (let m = 0; m < inLine; m++) cells.push({ glyph: '.', kind: 'dot' });
      column.pendingFill = 0x2e;
    }
    column.pendingCells = count - inLine;
    j += inLine;
  }
  return cells;
}
