/**
 * The `--json` lines as TypeScript types: the same contract as `schema/events.schema.json`
 * (shipped as `sockrepl/events.schema.json`), which the tests check every line they see against.
 * Change the two together. Compatibility: fields and event types may be added under the same
 * `v`; removing or renaming a field, or changing its type or meaning, raises `v`.
 */

/** The schema version every line carries as `v`. */
export const JSON_EVENTS_VERSION = 1;

/** Milliseconds since the epoch (`time`), and for `sockrepl run` since the script started (`t`). */
interface Stamped {
  v: typeof JSON_EVENTS_VERSION;
  time: number;
  t?: number;
}

export interface JsonAddress {
  address: string;
  port: number;
}

export interface JsonTls {
  role: 'client' | 'server';
  protocol: string;
  cipher: string;
  alpn?: string;
  authorized: boolean;
  authorizationError?: string;
  verified: boolean;
  peer?: { subject: string; issuer: string; validFrom: string; validTo: string; fingerprint256: string };
  localFingerprint?: string;
}

/** Bytes as `sockrepl run` reports them: count, hex, text in the session encoding. */
export interface JsonBytes {
  len: number;
  hex: string;
  text: string;
}

export interface JsonListeningEvent extends Stamped {
  type: 'listening';
  proto: string;
  address: string;
  port: number;
  addresses?: { address: string; port: number; family: 'IPv4' | 'IPv6' | 'unix' }[];
}

/** A socket has `local` and `remote`; a program has `pid`, `argv` and maybe `pty`. */
export interface JsonOpenEvent extends Stamped {
  type: 'open';
  conn: number;
  proto: string;
  local?: JsonAddress;
  remote?: JsonAddress;
  tls?: JsonTls;
  pid?: number;
  argv?: readonly string[];
  pty?: { cols: number; rows: number; tty: string };
}

export interface JsonTlsEvent extends Stamped {
  type: 'tls';
  conn: number;
  tls: JsonTls;
}

export interface JsonDataEvent extends Stamped {
  type: 'data';
  conn: number;
  dir: 'in' | 'out';
  len: number;
  hex: string;
  text: string;
  /** Framing on: the message number on this connection and direction, from 1. */
  frame?: number;
  stream?: 'stderr';
  /** Framing on: the body without its header (hex), its text, and the decoded header. */
  payload?: string;
  payloadText?: string;
  /** Framing on: where the body starts in the frame's bytes. */
  payloadOffset?: number;
  header?: Record<string, unknown>;
}

export interface JsonEofEvent extends Stamped {
  type: 'eof';
  conn: number;
}

export interface JsonCloseEvent extends Stamped {
  type: 'close';
  conn: number;
  reason: 'eof' | 'reset' | 'timeout' | 'local' | 'error';
  message?: string;
}

export interface JsonExitEvent extends Stamped {
  type: 'exit';
  conn: number;
  pid: number;
  code: number | null;
  signal: string | null;
}

/** A failed command (`command`, `line`), a session failure, or a script's (`exit`, no `time`). */
export interface JsonErrorEvent extends Omit<Stamped, 'time'> {
  type: 'error';
  time?: number;
  code: string;
  message: string;
  conn?: number;
  command?: string;
  line?: string;
  exit?: number;
}

export interface JsonStateEvent extends Stamped {
  type: 'state';
  conn: number;
  state?: string;
  sendQ?: number;
  recvQ?: number;
  rttMs?: number;
  rttVarMs?: number;
  retransmits?: number;
  totalRetrans?: number;
  cwnd?: number;
  mss?: number;
  unacked?: number;
}

/** An /expect in a session. */
export interface JsonExpectEvent extends Stamped {
  type: 'expect';
  conn: number;
  ok: boolean;
  pattern: string;
  elapsedMs: number;
  match?: string;
  hex?: string;
  groups?: (string | null)[];
  reason?: string;
  lastHex?: string;
  lastText?: string;
}

/** `sockrepl run`: an expect step that matched. */
export interface JsonExpectStepEvent extends JsonBytes {
  v: typeof JSON_EVENTS_VERSION;
  type: 'expect';
  step: number;
  t: number;
  line: number;
  command: string;
  ok: true;
  before?: JsonBytes;
  captures?: (string | null)[];
  groups?: Record<string, string>;
  branch?: string;
  sent?: JsonBytes;
  ms?: number;
  note?: string;
}

/** `sockrepl run`: the expectation that failed the script. */
export interface JsonExpectFailedEvent {
  v: typeof JSON_EVENTS_VERSION;
  type: 'expect';
  t?: number;
  ok: false;
  file: string;
  line: number;
  col: number;
  command: string;
  reason: string;
  expected?: string;
  received: JsonBytes;
  exit?: number;
}

export interface JsonNoticeEvent extends Stamped {
  type: 'notice';
  level: 'info' | 'warn' | 'error';
  text: string;
  conn?: number;
}

export interface JsonFaultEvent extends Stamped {
  type: 'fault';
  conn: number;
  dir?: 'in' | 'out';
  fault: string;
  id: number;
  kind: string;
  action: string;
}

export interface JsonProgressEvent extends Stamped {
  type: 'progress';
  conn: number;
  file: string;
  sent: number;
  total: number;
  bytesPerSec: number;
  etaMs?: number;
  done: boolean;
}

export interface JsonResultEvent extends Stamped {
  type: 'result';
  command: string;
  ok: boolean;
  line: string;
  lines?: string[];
  data?: unknown;
}

/** `sockrepl run`: a step that ran (a matched expect is a JsonExpectStepEvent). */
export interface JsonStepEvent {
  v: typeof JSON_EVENTS_VERSION;
  type: 'step';
  step: number;
  t: number;
  line: number;
  command: string;
  sent?: JsonBytes;
  ms?: number;
  note?: string;
}

export interface JsonOutputEvent {
  v: typeof JSON_EVENTS_VERSION;
  type: 'output';
  t?: number;
  lines: readonly string[];
}

export interface JsonDoneEvent {
  v: typeof JSON_EVENTS_VERSION;
  type: 'done';
  t?: number;
  ok: boolean;
  exit: number;
  steps?: number;
  ms: number;
}

/** Any line `--json` prints; switch on `type` (and for `expect`, on which fields are there). */
export type JsonEvent =
  | JsonListeningEvent
  | JsonOpenEvent
  | JsonTlsEvent
  | JsonDataEvent
  | JsonEofEvent
  | JsonCloseEvent
  | JsonExitEvent
  | JsonErrorEvent
  | JsonStateEvent
  | JsonExpectEvent
  | JsonExpectStepEvent
  | JsonExpectFailedEvent
  | JsonNoticeEvent
  | JsonFaultEvent
  | JsonProgressEvent
  | JsonResultEvent
  | JsonStepEvent
  | JsonOutputEvent
  | JsonDoneEvent;

/** Every `type` a line can have. */
export type JsonEventType = JsonEvent['type'];

/** An event as its producer builds it, before the writer adds `v`. */
export type JsonEventBody<E extends JsonEvent = JsonEvent> = E extends JsonEvent ? Omit<E, 'v'> : never;
