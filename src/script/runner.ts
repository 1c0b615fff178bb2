import type { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatDuration } from '../codec/units.js';
import { EXIT, isSockreplError } from '../errors.js';
import { describeArgv } from '../net/program.js';
import type { ConnectionOptions } from '../options/connection-options.js';
import type { Interpreter } from '../session/interpreter.js';
import type { Session } from '../session/session.js';
import { formatEndpoint } from '../session/session.js';
import type { SessionEvent } from '../session/session-events.js';
import type {
  CommandStatement,
  ConnectStatement,
  FailStatement,
  InteractiveStatement,
  ListenStatement,
  Script,
  SpawnStatement,
  Statement,
  Template,
} from './ast.js';
import { ExpectSteps } from './expect-steps.js';
import { reportOf } from './failure-report.js';
import { runInteractive } from './interactive-step.js';
import { LiteralCache } from './literal-cache.js';
import { resolveCount, resolveDuration, resolveEndpoints, resolveSpawn } from './resolve.js';
import { mergeOptions, type ScriptConnections } from './script-connections.js';
import { positionedError, ScriptExpectFailure, ScriptStepError } from './script-errors.js';
import { StepLog } from './step-log.js';
import type { FailureReport } from './transcript.js';
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
  /** --json (no `interactive` then), and where `interactive` relays off a terminal. */
  json?: boolean;
  output?: Writable;
}

/** The default expect timeout until a `timeout` line changes it. */
export const DEFAULT_EXPECT_TIMEOUT_MS = 10_000;

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
  private readonly log: StepLog;
  private defaultTimeoutMs = DEFAULT_EXPECT_TIMEOUT_MS;
  private readonly literals: LiteralCache;
  private readonly expects: ExpectSteps;
  /** Once the script is over, closing its connections is not news for the transcript. */
  private over = false;
  /** Events kept back while the user has the connection (`interactive`), shown after. */
  private held: SessionEvent[] | undefined;

  constructor(options: RunnerOptions) {
    this.o = options;
    this.file = options.script.file;
    this.literals = new LiteralCache(options.vars);
    this.log = new StepLog(options.sink, () => options.session.settings.encoding);
    this.expects = new ExpectSteps({
      ...options,
      file: this.file,
      log: this.log,
      literals: this.literals,
      defaultTimeoutMs: () => this.defaultTimeoutMs,
    });
    options.session.on('event', (e) => {
      if (e.type === 'data') {
        if (e.dir === 'out') this.log.onSent(e.bytes);
        return;
      }
      if (this.held) this.held.push(e);
      else if (!this.over) options.sink.event(e, this.log.elapsed());
    });
  }

  get stepCount(): number {
    return this.log.count;
  }

  elapsed(): number {
    return this.log.elapsed();
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
      case 'spawn':
        return this.spawn(s);
      case 'expect':
        return this.expects.expect(s);
      case 'expect-any':
        return this.expects.expectAny(s).then((body) => this.block(body));
      case 'repeat': {
        const step = this.log.begin(s);
        const n = resolveCount(s.count, this.o.vars);
        this.log.report(step, { note: `${n} iteration${n === 1 ? '' : 's'}` });
        return n > 0 ? this.repeat(s.body, n) : undefined;
      }
      case 'sleep': {
        const step = this.log.begin(s);
        const ms = resolveDuration(s.duration, this.o.vars, 'sleep');
        return sleep(ms).then(() => this.log.report(step, { durationMs: performance.now() - step.t0 }));
      }
      case 'timeout': {
        const step = this.log.begin(s);
        this.defaultTimeoutMs = resolveDuration(s.duration, this.o.vars, 'timeout');
        this.log.report(step, { note: `expects now wait up to ${formatDuration(this.defaultTimeoutMs)}` });
        return;
      }
      case 'set': {
        const step = this.log.begin(s);
        const value = this.o.vars.expand(s.value);
        this.at(s, () => this.o.vars.set(s.name, value));
        this.log.report(step, { note: `${s.name}=${JSON.stringify(value)}` });
        return;
      }
      case 'fail':
        return this.fail(s);
      case 'interactive':
        return this.interactive(s);
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

  /** Runs fn; a UsageError becomes a ScriptRuntimeError at the statement. */
  private at<T>(s: Statement, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw this.positioned(s, err);
    }
  }

  private positioned(s: Statement, err: unknown): unknown {
    return positionedError(this.file, s, err);
  }

  // ---- connect / listen ---------------------------------------------------------------------

  private async connectOrListen(s: ConnectStatement | ListenStatement): Promise<void> {
    const step = this.log.begin(s);
    const ep = resolveEndpoints(s, this.o.vars);
    const options = mergeOptions(this.o.cli, ep.options);
    try {
      if (s.type === 'connect') {
        const conn = await this.o.connections.connect({ ...ep, options });
        this.log.report(step, {
          durationMs: performance.now() - step.t0,
          note: `connected ${formatEndpoint(conn.local)} -> ${formatEndpoint(conn.remote)}`,
        });
      } else {
        const listener = await this.o.connections.listen({ ...ep, options });
        this.log.report(step, {
          note: `listening on ${listener.proto.toUpperCase()} ${formatEndpoint(listener.address)}`,
        });
      }
    } catch (err) {
      // The transport's message already names the address: `connect 127.0.0.1:9: ECONNREFUSED ...`.
      if (!isSockreplError(err)) throw err;
      throw new ScriptStepError(this.file, s.pos, err.message, err, { cause: err });
    }
  }

  /** `spawn`: a program as the script's connection, as `connect` opens a socket. */
  private async spawn(s: SpawnStatement): Promise<void> {
    const step = this.log.begin(s);
    const program = resolveSpawn(s, this.o.vars);
    try {
      const conn = await this.o.connections.spawn(program, this.o.cli);
      this.log.report(step, {
        durationMs: performance.now() - step.t0,
        note: `started ${describeArgv(program.argv)} (pid ${conn.channel.program?.pid})`,
      });
    } catch (err) {
      if (!isSockreplError(err)) throw err;
      throw new ScriptStepError(this.file, s.pos, err.message, err, { cause: err });
    }
  }

  // ---- REPL commands ------------------------------------------------------------------------

  private async command(s: CommandStatement): Promise<void> {
    const step = this.log.begin(s);
    const { session, interpreter, vars } = this.o;
    if (NEEDS_CONNECTION.has(s.name) && this.o.connections.waitsForClient) {
      // Waiting for the client is an expectation like any other: exit 3 when none comes.
      await this.o.connections.awaitClient(performance.now() + this.defaultTimeoutMs).catch(() => {
        const reason = `no client connected within ${formatDuration(this.defaultTimeoutMs)}`;
        throw new ScriptExpectFailure(this.reportOf(s, reason, new Uint8Array(0)));
      });
    }
    const sent = this.log.collectSent();
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
          this.log.report(step, { note: 'quit' });
          throw new Quit();
        }
        if (!['send', 'hex', 'pack'].includes(s.name)) lines = outcome.lines;
      }
    } catch (err) {
      throw err instanceof Quit ? err : this.positioned(s, err);
    } finally {
      this.log.stopCollecting();
    }
    this.log.reportSent(step, sent);
    if (lines.length > 0) this.o.sink.output(lines);
  }

  /**
   * `send` with one argument, the step of a send/expect loop: its exact bytes (`\xNN` stays one
   * byte whatever the encoding) through the session; waits only when the kernel did not take
   * them at once.
   */
  private sendLiteral(s: CommandStatement): Promise<void> | undefined {
    const step = this.log.begin(s);
    const sent = this.log.collectSent();
    let pending: Promise<void> | undefined;
    try {
      const bytes = this.bytesOf(s.args[0]!.value);
      if (bytes.length > 0) pending = this.o.session.sendNow(bytes);
    } catch (err) {
      this.log.stopCollecting();
      throw this.positioned(s, err);
    }
    if (!pending) {
      this.log.stopCollecting();
      this.log.reportSent(step, sent);
      return undefined;
    }
    return pending.then(
      () => {
        this.log.stopCollecting();
        this.log.reportSent(step, sent);
      },
      (err: unknown) => {
        this.log.stopCollecting();
        throw this.positioned(s, err);
      },
    );
  }

  private bytesOf(t: Template): Buffer {
    return this.literals.bytesOf(t, this.o.session.settings.encoding);
  }

  private reportOf(s: Statement, reason: string, received: Uint8Array): FailureReport {
    return reportOf({ file: this.file, encoding: this.o.session.settings.encoding }, s, reason, received);
  }

  /** `interactive`: the transcript pauses (its events held back) while the user has the connection. */
  private async interactive(s: InteractiveStatement): Promise<void> {
    const step = this.log.begin(s);
    const { session, connections, vars, cli, sink } = this.o;
    await sink.flush();
    this.held = [];
    let note: string;
    try {
      note = await runInteractive(s, {
        session,
        connections,
        vars,
        cli,
        json: Boolean(this.o.json),
        output: this.o.output,
        waitMs: this.defaultTimeoutMs,
      });
    } catch (err) {
      throw this.positioned(s, err);
    } finally {
      const held = this.held;
      this.held = undefined;
      for (const e of held) sink.event(e, this.log.elapsed());
    }
    this.log.report(step, { note });
  }

  private fail(s: FailStatement): never {
    const step = this.log.begin(s);
    const message = s.message ? this.o.vars.expand(s.message) : 'the script failed';
    this.log.report(step, {});
    const tube = this.o.connections.currentTube();
    const received = tube ? Buffer.from(tube.buffer.peek()) : new Uint8Array(0);
    throw new ScriptExpectFailure(this.reportOf(s, message, received));
  }
}
