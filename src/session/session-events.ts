import type { CloseReason, Direction, Endpoint, Protocol } from '../net/channel.js';
import type { KernelView } from '../net/kernel-view.js';
import type { TlsInfo } from '../net/tls/tls-info.js';

/**
 * Everything that happens in a session, as plain data. The event log keeps these; the screen,
 * the `--json` writer and (later) the recorder all read the same stream.
 */

export interface ListeningEvent {
  type: 'listening';
  time: number;
  proto: Protocol;
  /** The first listening socket's address (IPv4 when both families listen). */
  address: string;
  port: number;
  /** Every listening socket: one per family when no address or family was given. */
  addresses: { address: string; port: number; family: Endpoint['family'] }[];
}

export interface OpenEvent {
  type: 'open';
  time: number;
  conn: number;
  proto: Protocol;
  local: Endpoint;
  remote: Endpoint;
  /** The peer is a program: its PID, command line and terminal (remote's port is the PID too). */
  program?: { pid: number; argv: readonly string[]; pty?: { cols: number; rows: number; tty: string } };
  /** Set when the connection is TLS from its start (--ssl). */
  tls?: TlsInfo;
}

/** A connection's TLS handshake finished after it opened (STARTTLS). */
export interface TlsEvent {
  type: 'tls';
  time: number;
  conn: number;
  tls: TlsInfo;
  /** The words of the `/starttls` that upgraded the connection (`ssl-verify`), for the recorder. */
  words?: string[];
}

export interface DataEvent {
  type: 'data';
  time: number;
  conn: number;
  dir: Direction;
  bytes: Buffer;
  /**
   * Up to 4 bytes that preceded this chunk on the same connection and direction, so a view can
   * decode a character split across two chunks whatever encoding it picks later.
   */
  prev: Buffer;
  /**
   * The bytes decoded by the connection's stateful decoder (correct across chunk boundaries), in
   * `encoding`; only when the session was asked to decode (the JSON writer needs it, the screen
   * decodes what it shows).
   */
  text?: string;
  encoding?: string;
  /** Set when framing is on: the frame's number on this connection and direction, from 1. */
  frame?: number;
  /** A frame's message body (without its framing), as the framer reported it. */
  payload?: Buffer;
  /** Where `payload` starts in `bytes`, when it lies there (the inspector's payload offsets). */
  payloadOffset?: number;
  /** `payload` decoded in `encoding` (with `text`, when the session decodes). */
  payloadText?: string;
  /** The header fields the framer reported (`{ length }`, json-header's JSON header). */
  header?: unknown;
  /** A program's standard error (its stdout is unmarked), with --stderr mark. */
  stderr?: boolean;
}

/** The peer shut down its write side (FIN); the connection may still send. */
export interface EofEvent {
  type: 'eof';
  time: number;
  conn: number;
}

export interface CloseEvent {
  type: 'close';
  time: number;
  conn: number;
  reason: CloseReason;
  message?: string;
}

/** A program (the peer of `exec`, `spawn`) exited: its code, or the signal that ended it. */
export interface ExitEvent {
  type: 'exit';
  time: number;
  conn: number;
  pid: number;
  code: number | null;
  signal: string | null;
}

export interface ErrorEvent {
  type: 'error';
  time: number;
  code: string;
  message: string;
  conn?: number;
}

export interface StateEvent extends KernelView {
  type: 'state';
  time: number;
  conn: number;
}

export interface ExpectEvent {
  type: 'expect';
  time: number;
  conn: number;
  ok: boolean;
  pattern: string;
  elapsedMs: number;
  /** What matched (text in the session encoding), with its bytes as hex. */
  match?: string;
  hex?: string;
  /** Regex capture groups, $1 $2 ... */
  groups?: string[];
  /** Why it failed: 'timeout', 'eof', 'closed', 'cancelled'. */
  reason?: string;
  /** On failure: the unconsumed bytes at the end of the buffer, as hex and text. */
  lastHex?: string;
  lastText?: string;
}

/** A line of command output or a remark of the session (not traffic). */
export interface NoticeEvent {
  type: 'notice';
  time: number;
  level: 'info' | 'warn' | 'error';
  text: string;
  conn?: number;
}

/** A fault acted on a connection: `delayed 200 ms`, `dropped 5 bytes`, `cut into 3 writes`, `reset`. */
export interface FaultEvent {
  type: 'fault';
  time: number;
  conn: number;
  /** Absent when the act concerns the whole connection (a reset). */
  dir?: Direction;
  /** The fault's name and its number in `/fault list`. */
  fault: string;
  id: number;
  /** One word for counting (delayed, dropped, cut, duplicated, corrupted, reset, fin, stalled). */
  kind: string;
  action: string;
}

/** Progress of a /file transfer; not logged, only shown. */
export interface ProgressEvent {
  type: 'progress';
  time: number;
  conn: number;
  file: string;
  sent: number;
  total: number;
  bytesPerSec: number;
  etaMs: number | undefined;
  /** The transfer is over: every byte sent, or cancelled, or failed (the command says which). */
  done: boolean;
}

export type SessionEvent =
  | ListeningEvent
  | OpenEvent
  | TlsEvent
  | DataEvent
  | EofEvent
  | CloseEvent
  | ExitEvent
  | ErrorEvent
  | StateEvent
  | ExpectEvent
  | NoticeEvent
  | FaultEvent
  | ProgressEvent;

/** Payload bytes an event holds, for the log's byte budget. */
export function eventSize(e: SessionEvent): number {
  if (e.type === 'data') return e.bytes.length + (e.text?.length ?? 0) * 2 + 64;
  return 64;
}

/** Where a listener listens, for a line: `0.0.0.0:8888 and [::]:8888`. */
export function listeningOn(e: Pick<ListeningEvent, 'address' | 'port' | 'addresses'>): string {
  const all: { address: string; port: number; family?: string }[] = e.addresses?.length ? e.addresses : [e];
  const one = (a: (typeof all)[number]) =>
    a.family === 'unix'
      ? a.address
      : a.address.includes(':')
        ? `[${a.address}]:${a.port}`
        : `${a.address}:${a.port}`;
  return all.map(one).join(' and ');
}
