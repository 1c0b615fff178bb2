import { glyphWidth } from '../codec/glyphs.js';

/**
 * The prompt and everything the keyboard changes, as a pure reducer: the line being edited,
 * history browsing, scrolling, the selected message, the Ctrl-C arm. Tested without a terminal.
 */

export interface PromptState {
  input: string;
  /** Cursor position in UTF-16 units within `input`. */
  cursor: number;
  /** Oldest first. */
  history: string[];
  /** Index into history while browsing with Up/Down; undefined when editing a fresh line. */
  historyIndex: number | undefined;
  /** The line being typed before browsing history started. */
  draft: string;
  /** Rows scrolled up from the bottom of the traffic view; 0 follows new traffic. */
  scroll: number;
  /** Seq of the selected message in the event log, or undefined to follow the newest. */
  selected: number | undefined;
  /** When Ctrl-C was pressed once with nothing to cancel (a second press within 2 s quits). */
  ctrlCAt: number | undefined;
  /** Candidates shown after an ambiguous Tab. */
  candidates: string[];
}

export type PromptAction =
  | { type: 'insert'; text: string }
  | { type: 'backspace' }
  | { type: 'delete' }
  | { type: 'left' }
  | { type: 'right' }
  | { type: 'wordLeft' }
  | { type: 'wordRight' }
  | { type: 'home' }
  | { type: 'end' }
  | { type: 'killToStart' }
  | { type: 'killToEnd' }
  | { type: 'killWord' }
  | { type: 'historyPrev' }
  | { type: 'historyNext' }
  /** The line was submitted: clear it and remember it. */
  | { type: 'submit'; maxHistory?: number }
  /** A line submitted by other means (a paste with line ends): into history, input untouched. */
  | { type: 'remember'; line: string; maxHistory?: number }
  | { type: 'scroll'; delta: number; max: number }
  | { type: 'select'; seq: number | undefined }
  | { type: 'ctrlC'; now: number }
  | { type: 'complete'; input: string; candidates: string[] }
  | { type: 'setInput'; input: string };

export function initialPromptState(history: string[] = []): PromptState {
  return {
    input: '',
    cursor: 0,
    history,
    historyIndex: undefined,
    draft: '',
    scroll: 0,
    selected: undefined,
    ctrlCAt: undefined,
    candidates: [],
  };
}

export const CTRL_C_WINDOW_MS = 2000;

export function promptReducer(s: PromptState, a: PromptAction): PromptState {
  const edit = (input: string, cursor: number): PromptState => ({
    ...s,
    input,
    cursor,
    ctrlCAt: undefined,
    candidates: [],
  });
  switch (a.type) {
    case 'insert': {
      // Pasted newlines would submit half a paste; they become spaces in the one-line prompt.
      const text = a.text.replace(/\r\n|\r|\n/g, ' ');
      return edit(s.input.slice(0, s.cursor) + text + s.input.slice(s.cursor), s.cursor + text.length);
    }
    case 'backspace': {
      if (s.cursor === 0) return s;
      const n = prevCharLength(s.input, s.cursor);
      return edit(s.input.slice(0, s.cursor - n) + s.input.slice(s.cursor), s.cursor - n);
    }
    case 'delete': {
      if (s.cursor >= s.input.length) return s;
      const n = nextCharLength(s.input, s.cursor);
      return edit(s.input.slice(0, s.cursor) + s.input.slice(s.cursor + n), s.cursor);
    }
    case 'left':
      return { ...s, cursor: s.cursor - prevCharLength(s.input, s.cursor) };
    case 'right':
      return { ...s, cursor: Math.min(s.input.length, s.cursor + nextCharLength(s.input, s.cursor)) };
    case 'wordLeft':
      return { ...s, cursor: wordStart(s.input, s.cursor) };
    case 'wordRight':
      return { ...s, cursor: wordEnd(s.input, s.cursor) };
    case 'home':
      return { ...s, cursor: 0 };
    case 'end':
      return { ...s, cursor: s.input.length };
    case 'killToStart':
      return edit(s.input.slice(s.cursor), 0);
    case 'killToEnd':
      return edit(s.input.slice(0, s.cursor), s.cursor);
    case 'killWord': {
      const start = wordStart(s.input, s.cursor);
      return edit(s.input.slice(0, start) + s.input.slice(s.cursor), start);
    }
    case 'historyPrev': {
      if (s.history.length === 0) return s;
      const index = s.historyIndex === undefined ? s.history.length - 1 : Math.max(0, s.historyIndex - 1);
      const input = s.history[index]!;
      return {
        ...s,
        historyIndex: index,
        draft: s.historyIndex === undefined ? s.input : s.draft,
        input,
        cursor: input.length,
        candidates: [],
      };
    }
    case 'historyNext': {
      if (s.historyIndex === undefined) return s;
      const index = s.historyIndex + 1;
      if (index >= s.history.length) {
        return { ...s, historyIndex: undefined, input: s.draft, cursor: s.draft.length, candidates: [] };
      }
      const input = s.history[index]!;
      return { ...s, historyIndex: index, input, cursor: input.length, candidates: [] };
    }
    case 'submit': {
      const history = remember(s.history, s.input, a.maxHistory);
      return {
        ...s,
        input: '',
        cursor: 0,
        history,
        historyIndex: undefined,
        draft: '',
        candidates: [],
        ctrlCAt: undefined,
      };
    }
    case 'remember':
      return { ...s, history: remember(s.history, a.line, a.maxHistory), historyIndex: undefined };
    case 'scroll': {
      const scroll = Math.max(0, Math.min(a.max, s.scroll + a.delta));
      return { ...s, scroll };
    }
    case 'select':
      return { ...s, selected: a.seq, ...(a.seq === undefined ? { scroll: 0 } : {}) };
    case 'ctrlC':
      return { ...s, ctrlCAt: a.now, input: '', cursor: 0, historyIndex: undefined, candidates: [] };
    case 'complete':
      return { ...s, input: a.input, cursor: a.input.length, candidates: a.candidates };
    case 'setInput':
      return edit(a.input, a.input.length);
  }
}

/** True when this Ctrl-C should quit: the line was empty and one came within the window. */
export function ctrlCQuits(s: PromptState, now: number): boolean {
  return s.input === '' && s.ctrlCAt !== undefined && now - s.ctrlCAt <= CTRL_C_WINDOW_MS;
}

/**
 * The line as the prompt shows it in `columns` columns: the text before the cursor, the
 * character under it (a space at the end) and the rest, which the screen cuts at the edge. When
 * the text before the cursor does not fit, its start gives way, marked with `…`, so the cursor
 * stays in view however long the line.
 */
export function promptView(
  input: string,
  cursor: number,
  columns: number,
): { before: string; at: string; after: string } {
  const atLength = nextCharLength(input, cursor);
  const at = atLength > 0 ? input.slice(cursor, cursor + atLength) : ' ';
  const after = input.slice(cursor + atLength);
  // Columns for the text before the cursor: besides the cursor's cell, one for a `…` on the left
  // and, when text follows, one for its first character (or the `…` where the screen cuts it).
  const room = columns - columnsOf(at) - 1 - (after ? 1 : 0);
  let start = cursor;
  let used = 0;
  while (start > 0) {
    const n = prevCharLength(input, start);
    const w = columnsOf(input.slice(start - n, start));
    if (used + w > room) break;
    used += w;
    start -= n;
  }
  const before = start > 0 ? `…${input.slice(start, cursor)}` : input.slice(0, cursor);
  return { before, at, after };
}

/** Terminal columns of some text: two for a wide (CJK) character. */
function columnsOf(text: string): number {
  let n = 0;
  for (const ch of text) n += glyphWidth(ch.codePointAt(0)!) === 2 ? 2 : 1;
  return n;
}

function remember(history: string[], line: string, max = 1000): string[] {
  if (line.trim() === '' || history[history.length - 1] === line) return history;
  const out = [...history, line];
  return out.length > max ? out.slice(out.length - max) : out;
}

function prevCharLength(text: string, i: number): number {
  if (i <= 0) return 0;
  const c = text.charCodeAt(i - 1);
  return c >= 0xdc00 && c <= 0xdfff && i >= 2 ? 2 : 1;
}

function nextCharLength(text: string, i: number): number {
  if (i >= text.length) return 0;
  const c = text.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? 2 : 1;
}

function wordStart(text: string, i: number): number {
  let j = i;
  while (j > 0 && /\s/.test(text[j - 1]!)) j--;
  while (j > 0 && !/\s/.test(text[j - 1]!)) j--;
  return j;
}

function wordEnd(text: string, i: number): number {
  let j = i;
  while (j < text.length && /\s/.test(text[j]!)) j++;
  while (j < text.length && !/\s/.test(text[j]!)) j++;
  return j;
}
