import type { Statement } from './ast.js';
import type { TranscriptStep } from './transcript.js';
import type { TranscriptSink } from './transcript-sink.js';

/** Bytes of a step's sends kept for the transcript; beyond this only the count is shown. */
const MAX_SENT_SHOWN = 1024 * 1024;

export interface StepStart {
  s: Statement;
  step: number;
  t0: number;
  elapsedMs: number;
}

export interface SentBytes {
  chunks: Buffer[];
  bytes: number;
}

/** Numbers the script's steps, times them and reports each to the transcript with what it sent. */
export class StepLog {
  private readonly started = performance.now();
  private steps = 0;
  /** What the running step sent, collected from the session's outgoing data events. */
  private sent: SentBytes | undefined;

  constructor(
    private readonly sink: TranscriptSink,
    private readonly encoding: () => string,
  ) {}

  get count(): number {
    return this.steps;
  }

  elapsed(): number {
    return performance.now() - this.started;
  }

  begin(s: Statement): StepStart {
    this.steps++;
    const t0 = performance.now();
    return { s, step: this.steps, t0, elapsedMs: t0 - this.started };
  }

  report(b: StepStart, extra: Omit<TranscriptStep, 'step' | 'elapsedMs' | 'line' | 'command'>): void {
    const step: TranscriptStep = {
      step: b.step,
      elapsedMs: b.elapsedMs,
      line: b.s.pos.line,
      command: b.s.text,
      ...extra,
    };
    this.sink.step(step, this.encoding());
  }

  /** From now until `stopCollecting`, outgoing bytes belong to the running step. */
  collectSent(): SentBytes {
    this.sent = { chunks: [], bytes: 0 };
    return this.sent;
  }

  stopCollecting(): void {
    this.sent = undefined;
  }

  /** The session sent these bytes. */
  onSent(bytes: Buffer): void {
    if (!this.sent) return;
    this.sent.bytes += bytes.length;
    if (this.sent.bytes <= MAX_SENT_SHOWN) this.sent.chunks.push(bytes);
  }

  reportSent(step: StepStart, sent: SentBytes): void {
    if (sent.bytes === 0) this.report(step, {});
    else if (sent.bytes <= MAX_SENT_SHOWN)
      this.report(step, { sent: sent.chunks.length === 1 ? sent.chunks[0]! : Buffer.concat(sent.chunks) });
    else this.report(step, { note: `sent ${sent.bytes} bytes` });
  }
}
