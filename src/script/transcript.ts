import { isAsciiCompatible, quoteText, spacedHex, textLiteral } from '../codec/bytes-literal.js';
import { decodeText } from '../codec/text.js';
import type {
  JsonBytes,
  JsonEventBody,
  JsonExpectFailedEvent,
  JsonExpectStepEvent,
  JsonStepEvent,
} from '../json/json-event-types.js';

/**
 * What `sockrepl run` prints: one line per step (number, time since start, source line, the
 * command, what it did), data as a script literal when it is text and as hex with a text column
 * when it is binary; and, for a failed expectation, what was expected and the last bytes received
 * as a hex dump and as text. Pure functions: the runner collects the facts, these format them.
 */

export interface StepData {
  bytes: Uint8Array;
  /** For an expect: the bytes skipped before the match (consumed with it). */
  before?: Uint8Array;
  /** For a regex expect: `$1`... and named groups, for display. */
  captures?: readonly (string | undefined)[];
  groups?: Readonly<Record<string, string | undefined>>;
  /** Which branch of an expect-any matched (its pattern as written). */
  branch?: string;
}

export interface TranscriptStep {
  /** 1-based count of executed steps (a step inside `repeat 3` appears three times). */
  step: number;
  /** Milliseconds since the script started, when the step began. */
  elapsedMs: number;
  /** Source line of the statement. */
  line: number;
  /** The statement as written, e.g. `expect /^OK (\d+)/ 5s`. */
  command: string;
  /** Bytes this step sent. */
  sent?: Uint8Array;
  /** What this step's expect matched. */
  matched?: StepData;
  /** How long the step took, when that is news (an expect's wait, a connect). */
  durationMs?: number;
  /** Anything else worth a word: `connected 127.0.0.1:40000 -> 127.0.0.1:8888`, `iteration 2/3`. */
  note?: string;
}

export interface FormatOptions {
  /** Text encoding of the session (default utf8). */
  encoding?: string;
  /** Bytes shown per data item before `… (N more bytes)`; default 64. */
  maxBytes?: number;
}

/** `+1.234s`: seconds since start, to the millisecond. */
export function formatElapsed(ms: number): string {
  // Whole milliseconds by integer arithmetic: toFixed is a call into the runtime, on every step.
  const t = Math.round(Math.max(0, ms));
  const r = t % 1000;
  return `+${(t - r) / 1000}.${r < 10 ? '00' : r < 100 ? '0' : ''}${r}s`;
}

/**
 * One transcript line:
 * `   3  +0.015s  L4   expect /^OK (\d+)/ 5s  -> matched "OK 42\r\n" in 13ms ($1="42")`
 */
export function formatStep(s: TranscriptStep, options: FormatOptions = {}): string {
  const head = `${String(s.step).padStart(4)}  ${formatElapsed(s.elapsedMs)}  ${lineAndCommand(s.line, s.command)}`;
  // What the step did, `; `-separated (built without an array: this runs for every step).
  let did = s.sent ? `sent ${describeData(s.sent, options)}` : '';
  if (s.matched) did = join(did, describeMatch(s.matched, s.durationMs, options));
  else if (s.durationMs !== undefined && !s.sent) did = join(did, `in ${formatMs(s.durationMs)}`);
  if (s.note) did = join(did, s.note);
  return did ? `${head}  -> ${did}` : head;
}

function join(a: string, b: string): string {
  return a ? `${a}; ${b}` : b;
}

/** `L4    send "ping\n"`, made once per statement: a loop prints the same few thousands of times. */
const LINE_AND_COMMAND = new Map<string, { line: number; text: string }>();

function lineAndCommand(line: number, command: string): string {
  const known = LINE_AND_COMMAND.get(command);
  if (known?.line === line) return known.text;
  const text = `${`L${line}`.padEnd(5)} ${command}`;
  if (LINE_AND_COMMAND.size >= 1024) LINE_AND_COMMAND.clear();
  LINE_AND_COMMAND.set(command, { line, text });
  return text;
}

function describeMatch(m: StepData, durationMs: number | undefined, options: FormatOptions): string {
  let out =
    m.bytes.length === 0 && !m.before?.length ? 'matched' : `matched ${describeData(m.bytes, options)}`;
  if (m.branch) out += ` (branch ${m.branch})`;
  if (durationMs !== undefined) out += ` in ${formatMs(durationMs)}`;
  if (m.before?.length) out += `, after skipping ${describeData(m.before, options)}`;
  const caps = formatCaptures(m.captures, m.groups);
  if (caps) out += ` (${caps})`;
  return out;
}

/** `$1="42" $2="alice" ${user}="alice"`. */
export function formatCaptures(
  captures: readonly (string | undefined)[] | undefined,
  groups?: Readonly<Record<string, string | undefined>>,
): string {
  if (!groups && (!captures || captures.length < 2)) return '';
  const out: string[] = [];
  captures?.forEach((c, i) => {
    if (i > 0) out.push(`$${i}=${c === undefined ? 'unset' : JSON.stringify(c)}`);
  });
  for (const [name, value] of Object.entries(groups ?? {})) {
    out.push(`\${${name}}=${value === undefined ? 'unset' : JSON.stringify(value)}`);
  }
  return out.join(' ');
}

/**
 * `13 bytes "LOGIN alice\r\n"`, or for binary `6 bytes 00 02 00 00 00 2a |.....*|`. Text in the
 * session encoding when it is text; hex with a printable-ASCII column when it is not.
 */
export function describeData(bytes: Uint8Array, options: FormatOptions = {}): string {
  const n = bytes.length;
  const max = options.maxBytes ?? 64;
  const encoding = options.encoding ?? 'utf8';
  if (n === 0 || n > max || max !== 64) return describeNew(bytes, max, encoding);
  // Short data by content: a loop sends and matches the same few bytes thousands of times.
  let known = DESCRIBED.get(encoding);
  if (!known) {
    known = new Map();
    DESCRIBED.set(encoding, known);
  }
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, n);
  const key = buf.toString('latin1');
  let text = known.get(key);
  if (text === undefined) {
    text = describeNew(bytes, max, encoding);
    if (known.size >= 512) known.clear();
    known.set(key, text);
  }
  return text;
}

/** describeData's results for data of at most the default 64 bytes, by encoding and content. */
const DESCRIBED = new Map<string, Map<string, string>>();

function describeNew(bytes: Uint8Array, max: number, encoding: string): string {
  const n = bytes.length;
  const noun = `${n} byte${n === 1 ? '' : 's'}`;
  if (n === 0) return noun;
  const shown = n > max ? bytes.subarray(0, max) : bytes;
  const more = n > max ? ` … (${n - max} more)` : '';
  const text = textLiteral(shown, encoding);
  if (text !== undefined) return `${noun} ${text}${more}`;
  return `${noun} ${spacedHex(shown)} |${asciiColumn(shown)}|${more}`;
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(3)}s`;
}

/** Printable ASCII as itself, everything else as `.` (xxd's column). */
export function asciiColumn(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
  return out;
}

/**
 * An xxd-style dump: `00000010  45 52 52 20 62 75 73 79  0d 0a 00 00 00 00 00 00  |ERR busy........|`.
 * `offset` is the position of bytes[0] in the stream, so a tail keeps its real offsets.
 */
export function hexDumpLines(bytes: Uint8Array, offset = 0, width = 16): string[] {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += width) {
    const row = bytes.subarray(i, i + width);
    let hex = '';
    for (let j = 0; j < width; j++) {
      if (j === width / 2) hex += ' ';
      hex += j < row.length ? `${row[j]!.toString(16).padStart(2, '0')} ` : '   ';
    }
    lines.push(`${(offset + i).toString(16).padStart(8, '0')}  ${hex} |${asciiColumn(row)}|`);
  }
  return lines;
}

export interface FailureReport {
  file: string;
  line: number;
  col: number;
  /** The statement as written. */
  command: string;
  /** `timed out after 5s`, `the peer closed the connection (EOF)`, or a `fail` message. */
  reason: string;
  /** The pattern(s) waited for, as a script writes them. */
  expected?: string;
  /** Bytes received and not consumed when the expect gave up. */
  received: Uint8Array;
  encoding?: string;
  /** How many of the last received bytes to show (default 256). */
  lastBytes?: number;
}

/**
 * A failed expectation, for a person:
 * ```
 * login.srs:4:1: expect /^OK (\d+)/ 5s: timed out after 5s
 *   expected: /^OK (\d+)/
 *   received: 10 bytes, none matched
 *     00000000  45 52 52 20 62 75 73 79  0d 0a                    |ERR busy..|
 *   as text:  "ERR busy\r\n"
 * ```
 */
export function formatExpectFailure(r: FailureReport): string {
  const lines = [`${r.file}:${r.line}:${r.col}: ${r.command}: ${r.reason}`];
  if (r.expected) lines.push(`  expected: ${r.expected}`);
  const n = r.received.length;
  if (n === 0) {
    lines.push('  received: nothing (no unconsumed bytes)');
    return lines.join('\n');
  }
  const last = r.lastBytes ?? 256;
  const start = Math.max(0, n - last);
  const tail = r.received.subarray(start);
  lines.push(
    `  received: ${n} byte${n === 1 ? '' : 's'} not matched${start > 0 ? `, the last ${tail.length} shown` : ''}`,
  );
  for (const l of hexDumpLines(tail, start)) lines.push(`    ${l}`);
  lines.push(`  as text:  ${textPreview(tail, r.encoding ?? 'utf8')}`);
  return lines.join('\n');
}

/** The bytes decoded leniently, as a script string: controls escaped, undecodable bytes as \u{fffd}. */
function textPreview(bytes: Uint8Array, encoding: string): string {
  return quoteText(decodeText(bytes, encoding), isAsciiCompatible(encoding));
}

/** A transcript step as a `--json` event: `step`, or `expect` for a matched expectation. */
export function stepEvent(
  s: TranscriptStep,
  options: FormatOptions = {},
): JsonEventBody<JsonStepEvent | JsonExpectStepEvent> {
  const encoding = options.encoding ?? 'utf8';
  const head = { step: s.step, t: Math.round(s.elapsedMs), line: s.line, command: s.command };
  const tail: Pick<JsonStepEvent, 'sent' | 'ms' | 'note'> = {};
  if (s.sent) tail.sent = dataFields(s.sent, encoding);
  if (s.durationMs !== undefined) tail.ms = Math.round(s.durationMs);
  if (s.note) tail.note = s.note;
  const m = s.matched;
  if (!m) return { type: 'step', ...head, ...tail };
  const ev: JsonEventBody<JsonExpectStepEvent> = {
    type: 'expect',
    ...head,
    ok: true,
    ...dataFields(m.bytes, encoding),
  };
  if (m.before?.length) ev.before = dataFields(m.before, encoding);
  if (m.captures && m.captures.length > 1) ev.captures = m.captures.slice(1).map((c) => c ?? null);
  if (m.groups) ev.groups = definedOnly(m.groups);
  if (m.branch) ev.branch = m.branch;
  return { ...ev, ...tail };
}

/** Named groups that took part in the match (JSON drops the others anyway). */
function definedOnly(groups: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(groups)) if (v !== undefined) out[k] = v;
  return out;
}

/** A failed expectation as a `--json` event. */
export function failureEvent(r: FailureReport): JsonEventBody<JsonExpectFailedEvent> {
  return {
    type: 'expect',
    ok: false,
    file: r.file,
    line: r.line,
    col: r.col,
    command: r.command,
    reason: r.reason,
    ...(r.expected ? { expected: r.expected } : {}),
    received: dataFields(r.received, r.encoding ?? 'utf8'),
  };
}

function dataFields(bytes: Uint8Array, encoding: string): JsonBytes {
  return { len: bytes.length, hex: Buffer.from(bytes).toString('hex'), text: decodeText(bytes, encoding) };
}
