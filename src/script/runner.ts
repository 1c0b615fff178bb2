import { setTimeout as sleep } from 'node:timers/promises';
import { encodeText } from '../codec/text.js';
import { formatDuration } from '../codec/units.js';
import { EXIT, isSockreplError, NetError, type SockreplError } from '../errors.js';
import type { ConnectionOptions } from '../options/connection-options.js';
import { consumeFrame, framePattern } from '../session/frame-pattern.js';
import type { Interpreter } from '../session/interpreter.js';
import type { Conn, Session } from '../session/session.js';
import { formatEndpoint } from '../session/session.js';
import { EofError, ExpectError, TimeoutError } from '../tube/errors.js';
import type { Pattern as TubePattern } from '../tube/matchers.js';
import type { ExpectMatch, Tube } from '../tube/tube.js';
import type {
  Branch,
  CommandStatement,
  ConnectStatement,
  ExpectAnyStatement,
  ExpectStatement,
  FailStatement,
  ListenStatement,
  Pattern,
  Script,
  Statement,
  Template,
} from './ast.js';
import { resolveCount, resolveDuration, resolveEndpoints, resolvePattern } from './resolve.js';
import { mergeOptions, type ScriptConnections } from './script-connections.js';
import { ScriptExpectFailure, ScriptRuntimeError, ScriptStepError } from './script-errors.js';
import type { FailureReport, StepData, TranscriptStep } from './transcript.js';
import type { TranscriptSink } from './transcript-sink.js';
import type { Variables } from './variables.js';

/**
 * Runs a parsed script step by step against a session. REPL commands go through the session's
 * own interpreter (one meaning for `/send` at the prompt and `send` in a script); connect,
 * listen, expect and the control statements are the runner's. Every step is reported to the
 * sink as it finishes; the first failure stops the script with a positioned error.
 */

export interface RunnerOptions {
  script: Script;
  session: Session;
  connections: ScriptConnections;
  interpreter: Interpreter;
  vars: Variables;
  /** The command line's connection options, under each connect/listen line's own. */
  cli: ConnectionOptions;
  sink: TranscriptSink;
}

/** The default expect timeout until a `timeout` line changes it. */
export const DEFAULT_EXPECT_TIMEOUT_MS = 10_000;

/** Bytes of a step's sends kept for the transcript; beyond this only the count is shown. */
const MAX_SENT_SHOWN = 1024 * 1024;

/** Commands that act on a connection: in a listening script they wait for the first client. */
const NEEDS_CONNECTION = new Set([
  'send',
  'hex',
  'pack',
  'file',
  'close',
  'shutdown',
  'reset',
  'opt',
  'info',
]);

/** `quit` ends the script early, successfully. */
class Quit {}

export class ScriptRunner {
  private readonly o: RunnerOptions;
  private readonly file: string;
  private readonly started = performance.now();
  private steps = 0;
  private defaultTimeoutMs = DEFAULT_EXPECT_TIMEOUT_MS;
  /** What the running step sent, collected from the session's outgoing data events. */
  private sent: { chunks: Buffer[]; bytes: number } | undefined;
  private readonly literalBytes = new WeakMap<Template, { encoding: string; bytes: Buffer }>();
  private readonly literalPatterns = new WeakMap<
    Pattern,
    { encoding: string; pattern: TubePattern | undefined }
  >();
  /** Once the script is over, closing its connections is not news for the transcript. */
  private over = false;

  constructor(options: RunnerOptions) {
    this.o = options;
    this.file = options.script.file;
    options.session.on('event', (e) => {
      if (e.type === 'data') {
        if (e.dir === 'out' && this.sent) {
          this.sent.bytes += e.bytes.length;
          if (this.sent.bytes <= MAX_SENT_SHOWN) this.sent.chunks.push(e.bytes);
        }
        return;
      }
      if (!this.over) options.sink.event(e, this.elapsed());
    });
  }

  get stepCount(): number {
    return this.steps;
  }

  elapsed(): number {
    return performance.now() - this.started;
  }

  /** Runs every statement; resolves when the script ends (also by `quit`), rejects on failure. */
  async run(): Promise<void> {
    try {
      await this.block(this.o.script.statements);
    } catch (err) {
      if (!(err instanceof Quit)) throw err;
    } finally {
      this.over = true;
    }
  }

  private async block(statements: readonly Statement[]): Promise<void> {
    for (const s of statements) {
      const pending = this.statement(s);
      if (pending) await pending;
    }
  }

  /**
   * Runs one statement; a promise only when it has to wait (an expect, a sleep, a send the kernel
   * did not take at once): a step that completes at once costs no promise.
   */
  private statement(s: Statement): Promise<void> | undefined {
    switch (s.type) {
      case 'connect':
      case 'listen':
        return this.connectOrListen(s);
      case 'expect':
        return this.expect(s);
      case 'expect-any':
        return this.expectAny(s);
      case 'repeat': {
        const step = this.begin(s);
        const n = resolveCount(s.count, this.o.vars);
        this.report(step, { note: `${n} iteration${n === 1 ? '' : 's'}` });
        return n > 0 ? this.repeat(s.body, n) : undefined;
      }
      case 'sleep': {
        const step = this.begin(s);
        const ms = resolveDuration(s.duration, this.o.vars, 'sleep');
        return sleep(ms).then(() => this.report(step, { durationMs: performance.now() - step.t0 }));
      }
      case 'timeout': {
        const step = this.begin(s);
        this.defaultTimeoutMs = resolveDuration(s.duration, this.o.vars, 'timeout');
        this.report(step, { note: `expects now wait up to ${formatDuration(this.defaultTimeoutMs)}` });
        return;
      }
      case 'set': {
        const step = this.begin(s);
        const value = this.o.vars.expand(s.value);
        this.at(s, () => this.o.vars.set(s.name, value));
        this.report(step, { note: `${s.name}=${JSON.stringify(value)}` });
        return;
      }
      case 'fail':
        return this.fail(s);
      case 'command':
        return s.name === 'send' && s.args.length === 1 && !this.o.connections.waitsForClient
          ? this.sendLiteral(s)
          : this.command(s);
    }
  }

  private async repeat(body: readonly Statement[], n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < body.length; j++) {
        const pending = this.statement(body[j]!);
        if (pending) await pending;
      }
    }
  }

  // ---- steps ------------------------------------------------------------------------------

  private begin(s: Statement): { s: Statement; step: number; t0: number; elapsedMs: number } {
    this.steps++;
    const t0 = performance.now();
    return { s, step: this.steps, t0, elapsedMs: t0 - this.started };
  }

  private report(
    b: { s: Statement; step: number; elapsedMs: number },
    extra: Omit<TranscriptStep, 'step' | 'elapsedMs' | 'line' | 'command'>,
  ): void {
    const step: TranscriptStep = {
      step: b.step,
      elapsedMs: b.elapsedMs,
      line: b.s.pos.line,
      command: b.s.text,
      ...extra,
    };
    this.o.sink.step(step, this.o.session.settings.encoding);
  }

  /** Runs fn; a UsageError becomes a ScriptRuntimeError at the statement. */
  private at<T>(s: Statement, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw this.positioned(s, err);
    }
  }

  /** An error of a step as one positioned line, keeping its exit code. */
  private positioned(s: Statement, err: unknown): unknown {
    if (!isSockreplError(err)) return err;
    if (
      err instanceof ScriptRuntimeError ||
      err instanceof ScriptStepError ||
      err instanceof ScriptExpectFailure
    )
      return err;
    return new ScriptStepError(this.file, s.pos, `${s.text}: ${err.message}`, err, { cause: err });
  }

  // ---- connect / listen ---------------------------------------------------------------------

  private async connectOrListen(s: ConnectStatement | ListenStatement): Promise<void> {
    const step = this.begin(s);
    const ep = resolveEndpoints(s, this.o.vars);
    const options = mergeOptions(this.o.cli, ep.options);
    try {
      if (s.type === 'connect') {
        const conn = await this.o.connections.connect({ ...ep, options });
        this.report(step, {
          durationMs: performance.now() - step.t0,
          note: `connected ${formatEndpoint(conn.local)} -> ${formatEndpoint(conn.remote)}`,
        });
      } else {
        const listener = await this.o.connections.listen({ ...ep, options });
        this.report(step, {
          note: `listening on ${listener.proto.toUpperCase()} ${formatEndpoint(listener.address)}`,
        });
      }
    } catch (err) {
      // The transport's message already names the address: `connect 127.0.0.1:9: ECONNREFUSED ...`.
      if (!isSockreplError(err)) throw err;
      throw new ScriptStepError(this.file, s.pos, err.message, err, { cause: err });
    }
  }

  // ---- REPL commands ------------------------------------------------------------------------

  private async command(s: CommandStatement): Promise<void> {
    const step = this.begin(s);
    const { session, interpreter, vars } = this.o;
    if (NEEDS_CONNECTION.has(s.name) && this.o.connections.waitsForClient) {
      // Waiting for the client is an expectation like any other: exit 3 when none comes.
      await this.o.connections.awaitClient(performance.now() + this.defaultTimeoutMs).catch(() => {
        const reason = `no client connected within ${formatDuration(this.defaultTimeoutMs)}`;
        throw new ScriptExpectFailure(this.reportOf(s, reason, new Uint8Array(0)));
      });
    }
    const sent = { chunks: [] as Buffer[], bytes: 0 };
    this.sent = sent;
    let lines: readonly string[] = [];
    try {
      const single = s.args.length === 1 ? s.args[0] : undefined;
      if (s.name === 'send' && single) {
        // One argument: its exact bytes (see sendLiteral), once the client has come.
        const bytes = this.bytesOf(single.value);
        if (bytes.length > 0) await session.send(bytes);
      } else {
        const rest = vars.expand(s.raw);
        const outcome = await interpreter.execute(`/${s.name}${rest === '' ? '' : ` ${rest}`}`);
        if (!outcome.ok && outcome.error) {
          const { code, message, exitCode } = outcome.error;
          throw new ScriptStepError(this.file, s.pos, `${s.text}: ${message}`, {
            code,
            exitCode: exitCode === EXIT.network ? EXIT.network : EXIT.usage,
          });
        }
        if (outcome.quit) {
          this.report(step, { note: 'quit' });
          throw new Quit();
        }
        if (!['send', 'hex', 'pack'].includes(s.name)) lines = outcome.lines;
      }
    } catch (err) {
      throw err instanceof Quit ? err : this.positioned(s, err);
    } finally {
      this.sent = undefined;
    }
    this.reportSent(step, sent);
    if (lines.length > 0) this.o.sink.output(lines);
  }

  /**
   * `send` with one argument, the step of a send/expect loop: its exact bytes (`\xNN` stays one
   * byte whatever the encoding) through the session; waits only when the kernel did not take
   * them at once.
   */
  private sendLiteral(s: CommandStatement): Promise<void> | undefined {
    const step = this.begin(s);
    const sent = { chunks: [] as Buffer[], bytes: 0 };
    this.sent = sent;
    let pending: Promise<void> | undefined;
    try {
      const bytes = this.bytesOf(s.args[0]!.value);
      if (bytes.length > 0) pending = this.o.session.sendNow(bytes);
    } catch (err) {
      this.sent = undefined;
      throw this.positioned(s, err);
    }
    if (!pending) {
      this.sent = undefined;
      this.reportSent(step, sent);
      return undefined;
    }
    return pending.then(
      () => {
        this.sent = undefined;
        this.reportSent(step, sent);
      },
      (err: unknown) => {
        this.sent = undefined;
        throw this.positioned(s, err);
      },
    );
  }

  private reportSent(
    step: ReturnType<ScriptRunner['begin']>,
    sent: { chunks: Buffer[]; bytes: number },
  ): void {
    if (sent.bytes === 0) this.report(step, {});
    else if (sent.bytes <= MAX_SENT_SHOWN)
      this.report(step, { sent: sent.chunks.length === 1 ? sent.chunks[0]! : Buffer.concat(sent.chunks) });
    else this.report(step, { note: `sent ${sent.bytes} bytes` });
  }

  /** A pattern as the tube takes it; one without variables is worked out once per encoding. */
  private resolved(p: Pattern): TubePattern | undefined {
    const encoding = this.o.session.settings.encoding;
    // Only patterns without variables are cached.
    const cached = this.literalPatterns.get(p);
    if (cached?.encoding === encoding) return cached.pattern;
    const template =
      p.kind === 'text' || p.kind === 'hex' ? p.value : p.kind === 'regex' ? p.source : undefined;
    if (template?.parts.some((x) => x.kind === 'var')) return resolvePattern(p, this.o.vars, encoding);
    const pattern = resolvePattern(p, this.o.vars, encoding);
    this.literalPatterns.set(p, { encoding, pattern });
    return pattern;
  }

  /** A send's bytes; those of a template without variables are worked out once per encoding. */
  private bytesOf(t: Template): Buffer {
    const encoding = this.o.session.settings.encoding;
    // Only templates without variables are cached.
    const cached = this.literalBytes.get(t);
    if (cached?.encoding === encoding) return cached.bytes;
    const encode = (text: string) => encodeText(text, encoding);
    if (t.parts.some((p) => p.kind === 'var')) return this.o.vars.expandBytes(t, encode);
    const bytes = this.o.vars.expandBytes(t, encode);
    this.literalBytes.set(t, { encoding, bytes });
    return bytes;
  }

  // ---- expect -------------------------------------------------------------------------------

  private timeoutOf(t: Template | undefined): number {
    return t ? resolveDuration(t, this.o.vars, 'timeout') : this.defaultTimeoutMs;
  }

  /** A script pattern as the tube takes it; `frame` needs the connection's frames. */
  private tubePattern(p: Pattern, conn: Conn | undefined, s: Statement): TubePattern {
    if (p.kind === 'frame' && conn) {
      if (!this.o.session.frameSpec) {
        throw new ScriptRuntimeError(
          this.file,
          p.pos,
          'expect frame: framing is off; turn it on with frame <spec>',
        );
      }
      return framePattern(conn, this.o.session.settings.encoding);
    }
    const resolved = this.resolved(p);
    if (resolved === undefined)
      throw new ScriptRuntimeError(this.file, s.pos, `'${p.kind}' is not a pattern here`);
    return resolved;
  }

  private async expect(s: ExpectStatement): Promise<void> {
    const step = this.begin(s);
    const timeoutMs = this.timeoutOf(s.timeout);
    const deadline = step.t0 + timeoutMs;
    // Resolved before waiting for a client: a bad value is exit 2, not a timeout.
    const resolved = s.pattern.kind === 'frame' ? undefined : this.tubePattern(s.pattern, undefined, s);
    let tube: Tube | undefined;
    try {
      const target = this.o.connections.waitsForClient
        ? await this.o.connections.target('expect', deadline)
        : this.o.connections.targetNow('expect');
      tube = target.tube;
      const pattern = resolved ?? this.tubePattern(s.pattern, target.conn, s);
      const m = await tube.expect(pattern, this.callOptions(deadline));
      this.matched(target.conn, m);
      this.report(step, { matched: matchData(m), durationMs: performance.now() - step.t0 });
    } catch (err) {
      throw this.expectFailure(s, err, tube, timeoutMs);
    }
  }

  private async expectAny(s: ExpectAnyStatement): Promise<void> {
    const step = this.begin(s);
    const timeoutMs = this.timeoutOf(s.timeout);
    const deadline = step.t0 + timeoutMs;
    const onTimeout = s.branches.find((b) => b.pattern.kind === 'timeout');
    const waiting = s.branches.filter((b) => b.pattern.kind !== 'timeout');
    let tube: Tube | undefined;
    let chosen: Branch;
    try {
      const target = await this.o.connections.target('expect-any', deadline);
      tube = target.tube;
      const patterns = waiting.map((b) => this.tubePattern(b.pattern, target.conn, s));
      if (patterns.length === 0) {
        await sleep(Math.max(0, deadline - performance.now()));
        throw new TimeoutError({
          expected: 'timeout',
          received: tube.buffer.peek(),
          elapsedMs: timeoutMs,
          timeoutMs,
        });
      }
      const m = await tube.expectAny(patterns, this.callOptions(deadline));
      this.matched(target.conn, m);
      chosen = waiting[m.which]!;
      this.report(step, {
        matched: { ...matchData(m), branch: patternSource(chosen.pattern) },
        durationMs: performance.now() - step.t0,
      });
    } catch (err) {
      if (!(err instanceof TimeoutError && onTimeout)) throw this.expectFailure(s, err, tube, timeoutMs);
      this.report(step, {
        durationMs: performance.now() - step.t0,
        note: `nothing matched in ${formatDuration(timeoutMs)}: timeout branch`,
      });
      chosen = onTimeout;
    }
    await this.block(chosen.body);
  }

  private callOptions(deadline: number): { timeout: number; encoding: string } {
    return { timeout: Math.max(0, deadline - performance.now()), encoding: this.o.session.settings.encoding };
  }

  private matched(conn: Conn, m: ExpectMatch): void {
    if (m.data !== undefined) consumeFrame(conn, m.data);
    this.o.vars.setCaptures(m);
  }

  /** Turns what stopped an expect into the failure to report (or passes a usage error through). */
  private expectFailure(
    s: ExpectStatement | ExpectAnyStatement,
    err: unknown,
    tube: Tube | undefined,
    timeoutMs: number,
  ): unknown {
    let reason: string;
    let exitCode: 1 | 3 = EXIT.expectFailed;
    let code = 'EEXPECT';
    let expected: string | undefined;
    let received: Uint8Array;
    if (err instanceof TimeoutError) {
      reason = err.expected.startsWith('a client on ')
        ? `no client connected within ${formatDuration(timeoutMs)}`
        : `timed out after ${formatDuration(timeoutMs)}`;
      expected = err.expected;
      received = err.received;
      code = err.code;
    } else if (err instanceof EofError) {
      reason = err.how;
      expected = err.expected;
      received = err.received;
      code = err.code;
    } else if (err instanceof ExpectError) {
      reason = err.message;
      expected = err.expected;
      received = err.received;
    } else if (err instanceof NetError) {
      // A reset is a network failure (exit 1), but the report still shows what was waited for.
      reason = err.message;
      exitCode = EXIT.network;
      code = err.code;
      received = tube ? Buffer.from(tube.buffer.peek()) : new Uint8Array(0);
    } else {
      return this.positioned(s, err);
    }
    if (s.failMessage) {
      const message = this.o.vars.expand(s.failMessage);
      if (message !== '') reason = message;
    }
    return new ScriptExpectFailure(this.reportOf(s, reason, received, expected), exitCode, code);
  }

  private reportOf(s: Statement, reason: string, received: Uint8Array, expected?: string): FailureReport {
    const r: FailureReport = {
      file: this.file,
      line: s.pos.line,
      col: s.pos.col,
      command: s.text,
      reason,
      received,
      encoding: this.o.session.settings.encoding,
    };
    if (expected) r.expected = expected;
    return r;
  }

  private fail(s: FailStatement): never {
    const step = this.begin(s);
    const message = s.message ? this.o.vars.expand(s.message) : 'the script failed';
    this.report(step, {});
    const tube = this.o.connections.currentTube();
    const received = tube ? Buffer.from(tube.buffer.peek()) : new Uint8Array(0);
    throw new ScriptExpectFailure(this.reportOf(s, message, received));
  }
}

function matchData(m: ExpectMatch): StepData {
  const d: StepData = { bytes: m.bytes };
  if (m.before.length > 0) d.before = m.before;
  if (m.kind === 'regex') {
    d.captures = [...m];
    if (m.groups) d.groups = m.groups;
  }
  return d;
}

/** A branch's pattern as written, for the transcript. */
export function patternSource(p: Pattern): string {
  switch (p.kind) {
    case 'text':
      return p.value.source;
    case 'regex':
      return p.source.source.endsWith(p.flags) ? p.source.source : `${p.source.source}${p.flags}`;
    case 'hex':
      return `hex:${p.value.source}`;
    default:
      return p.kind;
  }
}

/** The exit code an error that ended a script maps to. */
export function exitCodeOf(err: unknown): number {
  if (isSockreplError(err)) return (err as SockreplError).exitCode;
  return EXIT.network;
}
