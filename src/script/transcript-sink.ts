import type { Writable } from 'node:stream';
import { jsonLine, toJson } from '../json/json-event.js';
import type { JsonEventBody } from '../json/json-event-types.js';
import { formatTlsSummary } from '../net/tls/tls-info.js';
import { formatEndpoint } from '../session/session.js';
import type { SessionEvent } from '../session/session-events.js';
import {
  type FailureReport,
  failureEvent,
  formatElapsed,
  formatExpectFailure,
  formatStep,
  stepEvent,
  type TranscriptStep,
} from './transcript.js';

/**
 * Where a running script's transcript goes: people get lines (steps on standard output, a failure
 * report on standard error), `--json` gets one event per line on standard output. Output is
 * batched (a 10,000-step script must not cost 20,000 writes) and flushed at the end.
 */
export interface TranscriptSink {
  step(s: TranscriptStep, encoding: string): void;
  /** A command's own output (`info`, `inspect`), shown under its step. */
  output(lines: readonly string[]): void;
  /** Something the session reports between steps: a client connected, the peer closed. */
  event(e: SessionEvent, elapsedMs: number): void;
  failure(r: FailureReport, exitCode: number): void;
  /** Any other error that ends the script, already one positioned line. */
  error(message: string, code: string, exitCode: number): void;
  done(exitCode: number, steps: number, elapsedMs: number): void;
  /** Resolves once everything written has been handed to the streams. */
  flush(): Promise<void>;
}

/**
 * Lines gathered and written every FLUSH_MS (or at 64 KiB): a script that answers in microseconds
 * would otherwise cost one write to standard output per round trip. Each line is copied into a
 * byte buffer as it comes, so the batch is not a long-lived chain of strings for the garbage
 * collector to move, nor one to flatten and encode again when written.
 */
const FLUSH_MS = 30;
const BATCH_BYTES = 64 * 1024;

class Batched {
  private pending = Buffer.allocUnsafe(BATCH_BYTES);
  private used = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly stream: Writable) {}

  write(text: string): void {
    // At most 3 UTF-8 bytes per UTF-16 unit.
    if (text.length * 3 > BATCH_BYTES - this.used) {
      this.drainNow();
      if (text.length * 3 > BATCH_BYTES) {
        this.stream.write(text);
        return;
      }
    }
    this.used += this.pending.write(text, this.used);
    this.timer ??= setTimeout(() => this.drainNow(), FLUSH_MS);
  }

  drainNow(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.used === 0) return;
    // The stream may keep the bytes until written: the next batch goes in a new buffer.
    const bytes = this.pending.subarray(0, this.used);
    this.pending = Buffer.allocUnsafe(BATCH_BYTES);
    this.used = 0;
    this.stream.write(bytes);
  }

  flush(): Promise<void> {
    this.drainNow();
    return new Promise((resolve) => this.stream.write('', () => resolve()));
  }
}

export function textSink(stdout: Writable, stderr: Writable): TranscriptSink {
  const out = new Batched(stdout);
  let format = { encoding: 'utf8' };
  return {
    step: (s, encoding) => {
      if (format.encoding !== encoding) format = { encoding };
      out.write(`${formatStep(s, format)}\n`);
    },
    output: (lines) => {
      for (const l of lines) out.write(`${' '.repeat(21)}${l}\n`);
    },
    event: (e, ms) => {
      const text = describeEvent(e);
      if (text) out.write(`${'·'.padStart(4)}  ${formatElapsed(ms)}        ${text}\n`);
    },
    failure: (r) => {
      out.drainNow();
      stderr.write(`${formatExpectFailure(r)}\n`);
    },
    error: (message) => {
      out.drainNow();
      stderr.write(`${message}\n`);
    },
    done: (exitCode, steps, ms) => {
      const verdict = exitCode === 0 ? 'passed' : 'FAILED';
      out.write(`${verdict}: ${steps} step${steps === 1 ? '' : 's'} in ${(ms / 1000).toFixed(3)}s\n`);
    },
    flush: async () => {
      await out.flush();
    },
  };
}

/** The session events worth a line between steps (traffic is already in the steps). */
const SHOWN_EVENTS = new Set(['listening', 'open', 'eof', 'exit', 'close', 'error', 'notice']);

export function jsonSink(stdout: Writable): TranscriptSink {
  const out = new Batched(stdout);
  const write = (obj: JsonEventBody) => out.write(jsonLine(obj));
  return {
    step: (s, encoding) => write(stepEvent(s, { encoding })),
    output: (lines) => write({ type: 'output', lines }),
    event: (e, ms) => {
      if (!SHOWN_EVENTS.has(e.type)) return;
      const obj = toJson(e);
      if (obj) write({ ...obj, t: Math.round(ms) });
    },
    failure: (r, exitCode) => write({ ...failureEvent(r), exit: exitCode }),
    error: (message, code, exitCode) => write({ type: 'error', code, message, exit: exitCode }),
    done: (exitCode, steps, ms) =>
      write({ type: 'done', ok: exitCode === 0, exit: exitCode, steps, ms: Math.round(ms) }),
    flush: () => out.flush(),
  };
}

function describeEvent(e: SessionEvent): string | undefined {
  switch (e.type) {
    case 'listening':
      return `listening on ${e.proto.toUpperCase()} ${e.address}:${e.port}`;
    case 'open':
      if (e.program)
        return `connection ${e.conn}: program ${e.program.argv.join(' ')} started (pid ${e.program.pid})`;
      return `connection ${e.conn} open: ${formatEndpoint(e.local)} -> ${formatEndpoint(e.remote)}`;
    case 'tls':
      return `connection ${e.conn}: TLS started: ${formatTlsSummary(e.tls)}`;
    case 'eof':
      return `connection ${e.conn}: the peer closed its side (EOF)`;
    case 'exit':
      return `connection ${e.conn}: pid ${e.pid} ${e.signal ? `killed by ${e.signal}` : `exited with code ${e.code}`}`;
    case 'close':
      return `connection ${e.conn} closed (${e.reason}${e.message ? `: ${e.message}` : ''})`;
    case 'error':
      return `error ${e.code}: ${e.message}`;
    case 'notice':
      return e.text;
    default:
      return undefined;
  }
}
