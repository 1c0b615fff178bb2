import { Box, Text, useApp, useInput, useStdout } from 'ink';
import { useCallback, useEffect, useRef, useState } from 'react';
import { listEncodings } from '../codec/text.js';
import { inspectData, withPluginRows } from '../session/inspect.js';
import { formatRate, type Interpreter } from '../session/interpreter.js';
import type { Session } from '../session/session.js';
import type { DataEvent, ProgressEvent } from '../session/session-events.js';
import { complete } from './completion.js';
import { ConnectionList } from './connection-list.js';
import { appendHistory } from './history.js';
import { InspectorPanel, inspectorHeight } from './inspector-panel.js';
import {
  CTRL_C_WINDOW_MS,
  ctrlCQuits,
  initialPromptState,
  type PromptAction,
  promptReducer,
  promptView,
} from './prompt-state.js';
import { StatusLine } from './status-line.js';
import { StyledRow } from './styled-row.js';
import { formatBytes } from './theme.js';
import { headerPosition, isHidden, type TrafficLayout, visibleRows } from './traffic-rows.js';

/**
 * The screen: status line, connections (listen mode), traffic, inspector, prompt. State that
 * the keyboard changes lives in promptReducer; session data is read from the session when a
 * frame is drawn, and frames are asked for at most ~30 times a second, never per chunk.
 */

export interface AppProps {
  session: Session;
  interpreter: Interpreter;
  history: string[];
  historyFile: string | undefined;
  plain: boolean;
  /** Set by the app so the interpreter's /inspect sees the screen's selection. */
  selection: { current: number | undefined };
}

const FRAME_MS = 33;
/** How long /quit lets what was queued leave before it resets a peer that reads nothing (Session.close). */
const QUIT_GRACE_MS = 5000;

interface Running {
  id: number;
  line: string;
  abort: AbortController;
}

export function App({ session, interpreter, history, historyFile, plain, selection }: AppProps) {
  const { exit } = useApp();
  const { stdout } = useStdout();
  const [size, setSize] = useState({ cols: stdout.columns || 80, rows: stdout.rows || 24 });
  const [, setFrame] = useState(0);
  // The reducer's state is also kept in a ref, updated at once: several keys can arrive in one
  // read, and each must see the state the previous one left, not the last render's.
  const [ps, setPs] = useState(() => initialPromptState(history));
  const psRef = useRef(ps);
  const dispatch = useCallback((a: PromptAction) => {
    psRef.current = promptReducer(psRef.current, a);
    setPs(psRef.current);
  }, []);
  const [running, setRunning] = useState<Running[]>([]);
  const progress = useRef(new Map<number, ProgressEvent>());
  const nextId = useRef(1);
  const quitting = useRef(false);

  // Batch: events only mark the screen dirty; a timer turns that into at most ~30 renders/s.
  useEffect(() => {
    let dirty = true;
    const mark = () => {
      dirty = true;
    };
    const onEvent = (e: { type: string }) => {
      if (e.type === 'progress') {
        const p = e as ProgressEvent;
        if (p.done) progress.current.delete(p.conn);
        else progress.current.set(p.conn, p);
      }
      dirty = true;
    };
    session.on('event', onEvent);
    session.on('change', mark);
    const timer = setInterval(() => {
      if (!dirty) return;
      dirty = false;
      setFrame((f) => (f + 1) % 1_000_000);
    }, FRAME_MS);
    return () => {
      clearInterval(timer);
      session.off('event', onEvent);
      session.off('change', mark);
    };
  }, [session]);

  useEffect(() => {
    const onResize = () => setSize({ cols: stdout.columns || 80, rows: stdout.rows || 24 });
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);

  // The "press Ctrl-C again" hint goes when its window has passed, traffic or not.
  useEffect(() => {
    if (ps.ctrlCAt === undefined) return;
    const timer = setTimeout(() => setFrame((f) => f + 1), ps.ctrlCAt + CTRL_C_WINDOW_MS + 1 - Date.now());
    return () => clearTimeout(timer);
  }, [ps.ctrlCAt]);

  selection.current = ps.selected;

  // What was sent before /quit still gets this long to leave; a peer that reads nothing is reset.
  const quit = useCallback(() => {
    if (quitting.current) return;
    quitting.current = true;
    for (const r of running) r.abort.abort();
    void session.close(QUIT_GRACE_MS).finally(() => exit());
  }, [session, exit, running]);

  const run = useCallback(
    async (line: string) => {
      const trimmed = line.trim();
      const isCommand = trimmed.startsWith('/') && !trimmed.startsWith('//');
      if (isCommand) session.notice(`› ${trimmed}`);
      const job: Running = { id: nextId.current++, line: trimmed, abort: new AbortController() };
      setRunning((r) => [...r, job]);
      try {
        const outcome = await interpreter.execute(line, job.abort.signal);
        // An /expect that ran reports through its own event (outcome.data); only its failure
        // detail is added here. One that could not start (usage, no connection) has only its error.
        const lines = outcome.command === 'expect' && outcome.data ? outcome.lines.slice(1) : outcome.lines;
        for (const l of lines) session.notice(l, outcome.ok ? 'info' : 'error');
        if (outcome.clear) dispatch({ type: 'select', seq: undefined });
        if (outcome.quit) quit();
      } finally {
        setRunning((r) => r.filter((x) => x.id !== job.id));
      }
    },
    [session, interpreter, quit, dispatch],
  );

  // ---- layout ---------------------------------------------------------------------------------
  const width = Math.max(20, size.cols);
  const selectedEntry = ps.selected !== undefined ? session.log.get(ps.selected)?.item : undefined;
  const selectedData: DataEvent | undefined = selectedEntry?.type === 'data' ? selectedEntry : undefined;
  const inspector = selectedData
    ? inspectData(selectedData, session.settings, withPluginRows(session.plugins?.decoders() ?? []))
    : undefined;
  const inspectorRows = inspector ? inspectorHeight(inspector) : 0;
  const connRows = session.mode !== 'connect' ? Math.min(5, session.conns.size) : 0;
  const extra = (progress.current.size > 0 ? 1 : 0) + (ps.candidates.length > 0 ? 1 : 0) + 1;
  // The status line, the prompt, and one row to spare: a frame as tall as the terminal makes ink
  // clear the screen and redraw it whole every time.
  const trafficHeight = Math.max(3, size.rows - 1 - connRows - inspectorRows - extra - 1 - 1);
  const layout: TrafficLayout = {
    width,
    height: trafficHeight,
    view: session.settings.view,
    encoding: session.settings.encoding,
    scroll: ps.scroll,
    selected: ps.selected,
    // --send-only: what arrives is counted in the status line, not listed.
    hidden: session.hiddenDir,
  };
  const { rows, maxScroll } = visibleRows(session.log, layout);

  const moveSelection = (dir: -1 | 1) => {
    // The state the previous key left (keys can arrive together), not the last render's.
    const { selected, scroll } = psRef.current;
    const seqs: number[] = [];
    for (const e of session.log.entries())
      if (e.item.type === 'data' && !isHidden(e.item, layout)) seqs.push(e.seq);
    if (seqs.length === 0) return;
    let seq: number | undefined;
    if (selected === undefined) seq = dir < 0 ? seqs[seqs.length - 1] : undefined;
    else {
      const i = seqs.findIndex((s) => s >= selected);
      const at = i < 0 ? seqs.length - 1 : seqs[i] === selected ? i : i - (dir < 0 ? 0 : 1);
      seq = seqs[Math.max(0, Math.min(seqs.length - 1, at + dir))];
    }
    dispatch({ type: 'select', seq });
    if (seq === undefined) return;
    const pos = headerPosition(session.log, seq, layout);
    if (pos === undefined) return;
    if (pos < scroll) dispatch({ type: 'scroll', delta: pos - scroll, max: maxScroll });
    else if (pos >= scroll + trafficHeight)
      dispatch({ type: 'scroll', delta: pos - trafficHeight + 1 - scroll, max: maxScroll + 1_000_000 });
  };

  const submitLine = (line: string) => {
    if (historyFile) appendHistory(line, historyFile);
    if (line !== '') void run(line);
  };

  useInput((input, key) => {
    const ps = psRef.current;
    if (key.ctrl && input === 'c') {
      const now = Date.now();
      if (running.length > 0) {
        for (const r of running) r.abort.abort();
        session.notice('cancelled', 'warn');
        return;
      }
      if (ctrlCQuits(ps, now)) {
        quit();
        return;
      }
      dispatch({ type: 'ctrlC', now });
      return;
    }
    if (key.return) {
      dispatch({ type: 'submit' });
      submitLine(ps.input);
      return;
    }
    const tabAt = input.indexOf('\t');
    if (key.tab || (tabAt >= 0 && !key.ctrl)) {
      // Keys typed fast (or sent by tmux) can arrive with the Tab in one chunk: "gb\t".
      const typed = key.tab
        ? ps.input
        : ps.input.slice(0, ps.cursor) + input.slice(0, tabAt) + ps.input.slice(ps.cursor);
      const c = complete(typed, {
        commands: interpreter.commands,
        conns: [...session.conns.keys()],
        encodings: listEncodings(),
        framers: session.plugins?.names('framers') ?? [],
      });
      dispatch({ type: 'complete', input: c.input, candidates: c.candidates });
      return;
    }
    if (key.pageUp) return dispatch({ type: 'scroll', delta: trafficHeight - 1, max: maxScroll });
    if (key.pageDown) return dispatch({ type: 'scroll', delta: -(trafficHeight - 1), max: maxScroll });
    if (key.upArrow) return key.shift || key.meta ? moveSelection(-1) : dispatch({ type: 'historyPrev' });
    if (key.downArrow) return key.shift || key.meta ? moveSelection(1) : dispatch({ type: 'historyNext' });
    if (key.leftArrow || key.rightArrow) {
      const d = key.leftArrow ? -1 : 1;
      if (key.shift && selectedData) {
        const last = (inspector?.length ?? selectedData.bytes.length) - 1;
        const off = Math.max(0, Math.min(last, session.settings.inspectOffset + d));
        session.update({ inspectOffset: off });
        return;
      }
      if (key.ctrl || key.meta) return dispatch({ type: d < 0 ? 'wordLeft' : 'wordRight' });
      return dispatch({ type: d < 0 ? 'left' : 'right' });
    }
    if (key.home || (key.ctrl && input === 'a')) return dispatch({ type: 'home' });
    if (key.end || (key.ctrl && input === 'e')) return dispatch({ type: 'end' });
    if (key.escape) return dispatch({ type: 'select', seq: undefined });
    // Most terminals send DEL (0x7f) for Backspace, which ink reports as `delete`.
    if (key.backspace || key.delete) return dispatch({ type: 'backspace' });
    if (key.ctrl && input === 'd') return dispatch({ type: 'delete' });
    if (key.ctrl && input === 'u') return dispatch({ type: 'killToStart' });
    if (key.ctrl && input === 'k') return dispatch({ type: 'killToEnd' });
    if (key.ctrl && input === 'w') return dispatch({ type: 'killWord' });
    if (key.ctrl && input === 'l') return setSize({ cols: stdout.columns || 80, rows: stdout.rows || 24 });
    if (input && !key.ctrl && !key.meta) {
      // A paste (or keys arriving together) may hold line ends: each one submits a line.
      const parts = input.split(/\r\n|\r|\n/);
      if (parts.length === 1) return dispatch({ type: 'insert', text: input });
      const lines = parts.slice(0, -1);
      lines[0] = ps.input.slice(0, ps.cursor) + lines[0]!;
      for (const line of lines) {
        dispatch({ type: 'remember', line });
        submitLine(line);
      }
      dispatch({ type: 'setInput', input: parts[parts.length - 1]! + ps.input.slice(ps.cursor) });
    }
  });

  // ---- drawing ----------------------------------------------------------------------------------
  const hint =
    running.length > 0
      ? `running ${running.map((r) => r.line).join(', ')} (Ctrl-C cancels)`
      : ctrlCQuits(ps, Date.now())
        ? 'press Ctrl-C again to quit'
        : ps.scroll > 0
          ? `scrolled up ${ps.scroll} rows (PgDn to go back, Esc follows the end)`
          : session.finished
            ? 'the connection is over: /quit or Ctrl-C twice to leave; /save keeps the traffic'
            : '/help for commands · Tab completes · PgUp/PgDn scroll · Shift-↑/↓ select · Ctrl-C twice quits';
  const { before, at, after } = promptView(ps.input, ps.cursor, width - 2);
  return (
    <Box flexDirection="column" width={width}>
      <StatusLine session={session} plain={plain} width={width} />
      {connRows > 0 ? <ConnectionList session={session} plain={plain} maxRows={connRows} /> : null}
      <Box flexDirection="column" height={trafficHeight}>
        {rows.map((r) => (
          <StyledRow key={r.key} segs={r.segs} plain={plain} />
        ))}
      </Box>
      {inspector && selectedData ? (
        <InspectorPanel
          view={inspector}
          message={selectedData}
          endian={session.settings.endian}
          width={width}
          plain={plain}
        />
      ) : null}
      {[...progress.current.values()].slice(0, 1).map((p) => (
        <Text key="progress" wrap="truncate-end">
          {progressLine(p, width)}
        </Text>
      ))}
      {ps.candidates.length > 0 ? (
        <Text wrap="truncate-end" dimColor>
          {ps.candidates.join('  ')}
        </Text>
      ) : null}
      <Text wrap="truncate-end" dimColor>
        {hint}
      </Text>
      <Text wrap="truncate-end">
        <Text color={plain ? undefined : 'green'} bold>
          {'› '}
        </Text>
        {before}
        <Text inverse>{at}</Text>
        {after}
      </Text>
    </Box>
  );
}

export function progressLine(p: ProgressEvent, width: number): string {
  const pct = p.total > 0 ? p.sent / p.total : 1;
  const label = `${formatBytes(p.sent)}/${formatBytes(p.total)} ${formatRate(p.bytesPerSec)}${p.etaMs !== undefined ? ` ETA ${(p.etaMs / 1000).toFixed(1)}s` : ''}`;
  const name = p.file.split('/').pop() ?? p.file;
  const barWidth = Math.max(5, Math.min(40, width - label.length - name.length - 14));
  const filled = Math.round(pct * barWidth);
  return `sending ${name} ${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)} ${(pct * 100).toFixed(0).padStart(3)}% ${label}`;
}
