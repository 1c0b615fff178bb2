import { glyphWidth } from '../codec/glyphs.js';
import { BYTE_CLASS_TABLE, type TextCell } from '../codec/hexdump.js';
import { createStreamDecoder } from '../codec/text.js';
import type { Direction } from '../net/channel.js';
import { formatTlsSummary } from '../net/tls/tls-info.js';
import type { EventLog } from '../session/event-log.js';
import { formatEndpoint } from '../session/session.js';
import { type DataEvent, listeningOn, type SessionEvent } from '../session/session-events.js';
import type { Settings } from '../session/settings.js';
import { carryIn, viewEncoding } from './chunk-carry.js';
import { textCells } from './text-cells.js';

/**
 * The traffic view as rows of styled text, computed only for the rows on screen: walking the
 * log from the newest entry back, skipping the rows scrolled past. Pure; the component only
 * draws what this returns.
 */

export type SegStyle =
  | 'dim'
  | 'in'
  | 'out'
  | 'offset'
  | 'null'
  | 'printable'
  | 'whitespace'
  | 'ascii-other'
  | 'non-ascii'
  | 'info'
  | 'warn'
  | 'error'
  | 'ok'
  | 'command';

export interface Seg {
  text: string;
  style?: SegStyle;
}

export interface Row {
  key: string;
  segs: Seg[];
  /** Part of the selected message. */
  selected: boolean;
  /** Seq of the log entry the row belongs to. */
  seq: number;
}

export interface TrafficLayout {
  width: number;
  height: number;
  view: Settings['view'];
  /** Data in this direction is left out (received data with --send-only). */
  hidden?: Direction;
  encoding: string;
  /** Rows scrolled up from the bottom. */
  scroll: number;
  selected: number | undefined;
}

const CLASS_STYLES: readonly SegStyle[] = ['null', 'printable', 'whitespace', 'ascii-other', 'non-ascii'];
const BYTE_HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** Bytes per hex row: as many as fit (a row of n bytes with its text column takes 16 + 4n columns). */
export function hexColumns(width: number): number {
  return width >= 80 ? 16 : width >= 48 ? 8 : 4;
}

/**
 * What is worked out once per entry and layout: its row count, the lines of a notice or of the
 * text view, and the rows built so far. Rows are kept so that a row on screen in one frame is the
 * same object in the next: the row component is memoised and skips what did not change, which
 * under a flood is every row but the new ones.
 */
interface EntryCache {
  key: string;
  count: number;
  /** Body lines (after a data entry's header); none for hex rows, which are made from the bytes. */
  lines: Seg[][] | undefined;
  rows: Row[];
  /** Whether `rows` were made for the selected entry (the gutter shows it). */
  selected: boolean;
}

const caches = new WeakMap<SessionEvent, EntryCache>();

function entryCache(
  log: EventLog<SessionEvent>,
  seq: number,
  e: SessionEvent,
  layout: TrafficLayout,
): EntryCache {
  const key = `${layout.width}|${layout.view}|${layout.encoding}`;
  let c = caches.get(e);
  if (c?.key === key) return c;
  let lines: Seg[][] | undefined;
  let count: number;
  if (e.type !== 'data') {
    const style = noticeStyle(e);
    lines = eventText(e)
      .split('\n')
      .flatMap((l) => wrap(l, Math.max(1, layout.width - 2)))
      .map((l) => [{ text: l, style }]);
    count = lines.length;
  } else if (layout.view === 'text') {
    lines = textLines(log, seq, e, layout.encoding, layout.width - 3);
    count = 1 + lines.length;
  } else count = 1 + Math.ceil(e.bytes.length / hexColumns(layout.width));
  c = { key, count, lines, rows: [], selected: false };
  caches.set(e, c);
  return c;
}

export interface VisibleRows {
  rows: Row[];
  /** The largest useful scroll: rows above the top of a full screen (at least what was seen). */
  maxScroll: number;
}

/** The rows on screen, oldest at the top; `height` rows at most. */
export function visibleRows(log: EventLog<SessionEvent>, layout: TrafficLayout): VisibleRows {
  const out: Row[][] = [];
  let skip = layout.scroll;
  let need = layout.height;
  let total = 0;
  for (const { seq, item } of log.reversed()) {
    if (isHidden(item, layout)) continue;
    const n = entryCache(log, seq, item, layout).count;
    total += n;
    if (need <= 0) {
      // Only counting now, for maxScroll; stop once far enough above to scroll a page more.
      if (total - layout.scroll - layout.height > layout.height * 50) break;
      continue;
    }
    if (skip >= n) {
      skip -= n;
      continue;
    }
    const end = n - skip; // exclusive, rows of this entry still below the cut
    const start = Math.max(0, end - need);
    out.push(entryRows(log, item, seq, start, end, layout));
    need -= end - start;
    skip = 0;
  }
  const rows = out.reverse().flat();
  return { rows, maxScroll: Math.max(0, total - layout.height) };
}

/** Rows above the bottom at which an entry's header sits (for keeping a selection in view). */
export function headerPosition(
  log: EventLog<SessionEvent>,
  seq: number,
  layout: TrafficLayout,
): number | undefined {
  let below = 0;
  for (const e of log.reversed()) {
    if (isHidden(e.item, layout)) continue;
    const n = entryCache(log, e.seq, e.item, layout).count;
    if (e.seq === seq) return below + n - 1;
    below += n;
  }
  return undefined;
}

export function isHidden(e: SessionEvent, layout: Pick<TrafficLayout, 'hidden'>): boolean {
  return e.type === 'data' && e.dir === layout.hidden;
}

/** Rows [start, end) of an entry: made once, then the same objects while the layout stays. */
function entryRows(
  log: EventLog<SessionEvent>,
  e: SessionEvent,
  seq: number,
  start: number,
  end: number,
  layout: TrafficLayout,
): Row[] {
  const c = entryCache(log, seq, e, layout);
  const selected = layout.selected === seq;
  if (c.selected !== selected) {
    c.rows = [];
    c.selected = selected;
  }
  let first = start;
  while (first < end && c.rows[first]) first++;
  let last = end;
  while (last > first && c.rows[last - 1]) last--;
  if (first < last) {
    const gutter: Seg = { text: selected ? '▌' : ' ', style: selected ? 'command' : undefined };
    const row = (i: number, segs: Seg[]) => {
      c.rows[i] = { key: `${seq}:${i}`, seq, selected, segs: [gutter, ...segs] };
    };
    if (e.type !== 'data') for (let i = first; i < last; i++) row(i, c.lines![i]!);
    else {
      if (first === 0) row(0, dataHeader(e));
      const body = Math.max(first, 1);
      if (c.lines) for (let i = body; i < last; i++) row(i, [{ text: '  ' }, ...c.lines[i - 1]!]);
      else if (body < last) {
        const cols = hexColumns(layout.width);
        const from = (body - 1) * cols;
        const to = Math.min(e.bytes.length, (last - 1) * cols);
        const text =
          layout.view === 'both' ? textCells(log, seq, e, from, to, cols, layout.encoding) : undefined;
        for (let i = body; i < last; i++) {
          const offset = (i - 1) * cols;
          const bytes = e.bytes.subarray(offset, Math.min(offset + cols, e.bytes.length));
          row(i, hexRowSegs(offset, bytes, text?.slice(offset - from, offset - from + bytes.length), cols));
        }
      }
    }
  }
  return c.rows.slice(start, end);
}

function dataHeader(e: DataEvent): Seg[] {
  const what = e.frame !== undefined ? `frame ${e.frame}, ${e.bytes.length} B` : `${e.bytes.length} B`;
  return [
    { text: `${clock(e.time)} `, style: 'dim' },
    {
      text: `#${e.conn} ${e.dir === 'in' ? '←' : '→'} ${e.stderr ? 'err' : e.dir === 'in' ? 'in ' : 'out'}`,
      style: e.dir,
    },
    { text: ` ${what}`, style: e.dir },
  ];
}

/** One hex row: offset, the bytes in hex, and the text column when there is one. */
export function hexRowSegs(
  offset: number,
  bytes: Uint8Array,
  text: TextCell[] | undefined,
  cols: number,
): Seg[] {
  const segs: Seg[] = [{ text: ` ${offset.toString(16).padStart(8, '0')}  `, style: 'offset' }];
  let run = '';
  let runStyle: SegStyle | undefined;
  const push = (s: string, style: SegStyle) => {
    if (style !== runStyle && run) {
      segs.push({ text: run, style: runStyle });
      run = '';
    }
    runStyle = style;
    run += s;
  };
  for (let j = 0; j < cols; j++) {
    const b = bytes[j];
    const sep = j === cols / 2 - 1 ? '  ' : ' ';
    if (b === undefined) push(`  ${sep}`, 'dim');
    else push(BYTE_HEX[b]! + sep, CLASS_STYLES[BYTE_CLASS_TABLE[b]!]!);
  }
  if (run) segs.push({ text: run, style: runStyle });
  if (!text) return segs;
  segs.push({ text: ' |', style: 'dim' });
  run = '';
  runStyle = undefined;
  text.forEach((cell, j) => {
    const b = bytes[j] ?? 0;
    const style: SegStyle = cell.kind === 'dot' ? 'dim' : CLASS_STYLES[BYTE_CLASS_TABLE[b]!]!;
    push(cell.glyph, style);
  });
  if (run) segs.push({ text: run, style: runStyle });
  segs.push({ text: '|', style: 'dim' });
  return segs;
}

/** Characters the text view spells out: format controls (bidi overrides...) and line separators. */
const INVISIBLE = /[\p{Cf}\p{Zl}\p{Zp}]/u;

/**
 * The chunk as text lines of at most `width` columns, decoded after its carry so a split
 * character comes out whole; controls and invisible characters are spelled out, dimmed.
 */
function textLines(
  log: EventLog<SessionEvent>,
  seq: number,
  e: DataEvent,
  encoding: string,
  width: number,
): Seg[][] {
  const view = viewEncoding(encoding);
  const d = createStreamDecoder(view.name);
  d.write(carryIn(log, seq, e, view));
  const text = d.write(e.bytes);
  const lines: Seg[][] = [];
  let cur: Seg[] = [];
  let used = 0;
  const w = Math.max(8, width);
  const add = (s: string, style?: SegStyle, columns = s.length) => {
    if (used + columns > w && used > 0) {
      lines.push(cur);
      cur = [];
      used = 0;
    }
    const last = cur[cur.length - 1];
    if (last && last.style === style) last.text += s;
    else cur.push({ text: s, ...(style ? { style } : {}) });
    used += columns;
  };
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0x20 && cp < 0x7f) add(ch);
    else if (ch === '\n') {
      add('↵', 'dim');
      lines.push(cur);
      cur = [];
      used = 0;
    } else if (ch === '\r') add('\\r', 'dim');
    else if (ch === '\t') add('\\t', 'dim');
    else if (cp < 0x20 || cp === 0x7f) add(`\\x${cp.toString(16).padStart(2, '0')}`, 'dim');
    else if (cp < 0xa0 || INVISIBLE.test(ch)) add(`\\u{${cp.toString(16)}}`, 'dim');
    else if (ch === '\ufffd') add('�', 'non-ascii');
    // A wide (CJK) character takes two columns.
    else add(ch, undefined, glyphWidth(cp) === 2 ? 2 : 1);
  }
  if (cur.length > 0 || lines.length === 0) lines.push(cur);
  return lines;
}

function noticeStyle(e: SessionEvent): SegStyle {
  switch (e.type) {
    case 'notice':
      if (e.level !== 'info') return e.level;
      return e.text.startsWith('› ') ? 'command' : 'info';
    case 'error':
      return 'error';
    case 'close':
      return e.reason === 'reset' || e.reason === 'error' || e.reason === 'timeout' ? 'error' : 'warn';
    case 'expect':
      return e.ok ? 'ok' : 'error';
    case 'eof':
    case 'fault':
      return 'warn';
    case 'exit':
      return e.code === 0 ? 'info' : 'warn';
    default:
      return 'info';
  }
}

/** One line (or a few) describing a non-traffic event. */
export function eventText(e: SessionEvent): string {
  const t = clock(e.time);
  switch (e.type) {
    case 'listening':
      return `${t} listening on ${listeningOn(e)} (${e.proto})`;
    case 'open':
      if (e.proto === 'exec') return `${t} #${e.conn} started ${e.remote.address} (pid ${e.remote.port})`;
      return `${t} #${e.conn} open  ${formatEndpoint(e.local)} → ${formatEndpoint(e.remote)}`;
    case 'exit':
      return `${t} #${e.conn} pid ${e.pid} ${e.signal ? `killed by ${e.signal}` : `exited with code ${e.code}`}`;
    case 'tls':
      return `${t} #${e.conn} TLS started: ${formatTlsSummary(e.tls)}`;
    case 'eof':
      return `${t} #${e.conn} peer sent FIN (its write side is closed; we may still send; /close to finish)`;
    case 'close':
      return `${t} #${e.conn} closed (${e.reason})${e.message ? `: ${e.message}` : ''}`;
    case 'error':
      return `${t} ${e.message}`;
    case 'expect':
      return e.ok
        ? `${t} #${e.conn} expect ${e.pattern}: matched after ${e.elapsedMs}ms: ${JSON.stringify(e.match)}`
        : `${t} #${e.conn} expect ${e.pattern}: ${e.reason === 'timeout' ? `timed out after ${e.elapsedMs}ms` : e.reason}`;
    case 'notice':
      return e.text;
    case 'fault':
      return `${t} #${e.conn} fault #${e.id} ${e.fault}${e.dir ? ` ${e.dir}` : ''}: ${e.action}`;
    default:
      return '';
  }
}

export function clock(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** A line cut to `width` columns, at spaces where there are some in the second half. */
function wrap(line: string, width: number): string[] {
  const out: string[] = [];
  let rest = line;
  while (rest.length > width) {
    const space = rest.lastIndexOf(' ', width);
    if (space > width / 2) {
      out.push(rest.slice(0, space).trimEnd());
      rest = rest.slice(space).trimStart();
    } else {
      out.push(rest.slice(0, width));
      rest = rest.slice(width);
    }
  }
  out.push(rest);
  return out;
}
