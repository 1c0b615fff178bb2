import type { TextCell } from '../codec/hexdump.js';
import { createStreamDecoder } from '../codec/text.js';
import type { EventLog } from '../session/event-log.js';
import type { DataEvent, SessionEvent } from '../session/session-events.js';
import { heldBefore, type ViewEncoding, viewEncoding } from './chunk-carry.js';

/**
 * The hex view's text column for the rows of a chunk that are on screen. The cells are the
 * codec dump's (a character in the cell of its first byte, its width and blanks over its other
 * bytes, dots for bytes that are no printable character), but the walk over the bytes starts at
 * the first byte of the character that covers the first row shown (chunk-carry.ts), so no
 * character is cut in two:
 *
 * - a character begun in the chunk before and finished in this one is drawn whole in this
 *   chunk's first cell: the text view and `--json` show it with the chunk that completes it;
 * - one that this chunk begins and does not finish is blank: the next chunk draws it;
 * - one that crosses from a row above the first row shown leaves blanks, as within a dump.
 *
 * Only the rows asked for are decoded (and up to 3 bytes either side), never the whole chunk.
 */

const DOT_CELL: TextCell = { glyph: '.', kind: 'dot' };
const FILL_CELL: TextCell = { glyph: ' ', kind: 'fill' };
const COVERED_CELL: TextCell = { glyph: '', kind: 'covered' };

/** Per encoding, the cell of each byte that is always a character on its own (else undefined). */
const singles = new WeakMap<ViewEncoding, (TextCell | undefined)[]>();

function singleCells(view: ViewEncoding): (TextCell | undefined)[] {
  let cells = singles.get(view);
  if (cells) return cells;
  const g = view.glyphs;
  cells = [];
  for (let b = 0; b < 256; b++) {
    const glyph =
      g.mode === 'table'
        ? g.tableText[b]!
        : g.simple[b] !== 0
          ? String.fromCharCode(g.simple[b]!)
          : undefined;
    cells.push(
      glyph === undefined ? undefined : { glyph, kind: glyph === '.' && b !== 0x2e ? 'dot' : 'char' },
    );
  }
  singles.set(view, cells);
  return cells;
}

/** One cell per byte of the chunk's `bytes[from, to)` (`from` at a row start), in rows of `cols`. */
export function textCells(
  log: EventLog<SessionEvent>,
  seq: number,
  e: DataEvent,
  from: number,
  to: number,
  cols: number,
  encoding: string,
): TextCell[] {
  const view = viewEncoding(encoding);
  const g = view.glyphs;
  const single = singleCells(view);
  const bytes = e.bytes;
  const cells: TextCell[] = [];
  if (g.mode === 'table') {
    for (let q = from; q < to; q++) cells.push(single[bytes[q]!]!);
    return cells;
  }
  const start = from - heldBefore(log, seq, e, from, view);
  // Up to 3 bytes past `to` finish the last character; the walk never reads past the chunk.
  const end = Math.min(bytes.length, to + 3);
  const data =
    start < 0
      ? Buffer.concat([e.prev.subarray(e.prev.length + start), bytes.subarray(0, end)])
      : bytes.subarray(start, end);
  let p = start;
  while (p < to) {
    const i = p - start;
    const cell = single[data[i]!];
    if (cell) {
      if (p >= from) cells.push(cell);
      p++;
      continue;
    }
    const r = g.decodeAt(data, i, data.length);
    const n = r > 0 ? r : -r;
    if (r < 0 && end === bytes.length && bytes.length - p <= 3 && unfinished(data.subarray(i), view)) {
      // The chunk ends inside this character: the next chunk shows it.
      for (let q = Math.max(p, from); q < to; q++) cells.push(FILL_CELL);
      break;
    }
    // A character begun in the chunk before is drawn in the first cell of this one.
    const first = Math.max(p, 0);
    const stop = Math.min(p + n, to);
    for (let q = Math.max(p, from); q < stop; q++) {
      if (r < 0) cells.push(DOT_CELL);
      else if (q === first)
        cells.push({ glyph: g.mode === 'utf8' ? data.toString('utf8', i, i + r) : g.glyph, kind: 'char' });
      else if (q - first < g.width && Math.floor(q / cols) === Math.floor(first / cols))
        cells.push(COVERED_CELL);
      else cells.push(FILL_CELL);
    }
    p += n;
  }
  return cells;
}

/** Whether the last bytes of a chunk begin a character still to come (rather than being invalid). */
function unfinished(tail: Uint8Array, view: ViewEncoding): boolean {
  return createStreamDecoder(view.name).write(tail) === '';
}
