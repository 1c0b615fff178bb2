import { setTimeout as sleep } from 'node:timers/promises';
import { formatDuration } from '../codec/units.js';
import { consumeFrame, framePattern } from '../session/frame-pattern.js';
import type { Conn, Session } from '../session/session.js';
import { TimeoutError } from '../tube/errors.js';
import type { Pattern as TubePattern } from '../tube/matchers.js';
import type { ExpectMatch, Tube } from '../tube/tube.js';
import type { Branch, ExpectAnyStatement, ExpectStatement, Pattern, Statement, Template } from './ast.js';
import { expectFailureOf, matchData, patternSource } from './failure-report.js';
import type { LiteralCache } from './literal-cache.js';
import { resolveDuration } from './resolve.js';
import type { ScriptConnections } from './script-connections.js';
import { positionedError, ScriptRuntimeError } from './script-errors.js';
import type { StepLog } from './step-log.js';
import type { Variables } from './variables.js';

export interface ExpectStepsDeps {
  file: string;
  session: Session;
  connections: ScriptConnections;
  vars: Variables;
  log: StepLog;
  literals: LiteralCache;
  /** The expect timeout in force (a script's `timeout` line changes it). */
  defaultTimeoutMs(): number;
}

/** The script's `expect` and `expect-any` steps: wait on the target's tube, report the match or failure. */
export class ExpectSteps {
  constructor(private readonly d: ExpectStepsDeps) {}

  private timeoutOf(t: Template | undefined): number {
    return t ? resolveDuration(t, this.d.vars, 'timeout') : this.d.defaultTimeoutMs();
  }

  /** A script pattern as the tube takes it; `frame` needs the connection's frames. */
  private tubePattern(p: Pattern, conn: Conn | undefined, s: Statement): TubePattern {
    if (p.kind === 'frame' && conn) {
      if (!this.d.session.frameSpec) {
        throw new ScriptRuntimeError(
          this.d.file,
          p.pos,
          'expect frame: framing is off; turn it on with frame <spec>',
        );
      }
      return framePattern(conn, this.d.session.settings.encoding);
    }
    const resolved = this.d.literals.pattern(p, this.d.session.settings.encoding);
    if (resolved === undefined)
      throw new ScriptRuntimeError(this.d.file, s.pos, `'${p.kind}' is not a pattern here`);
    return resolved;
  }

  async expect(s: ExpectStatement): Promise<void> {
    const step = this.d.log.begin(s);
    const timeoutMs = this.timeoutOf(s.timeout);
    const deadline = step.t0 + timeoutMs;
    // Resolved before waiting for a client: a bad value is exit 2, not a timeout.
    const resolved = s.pattern.kind === 'frame' ? undefined : this.tubePattern(s.pattern, undefined, s);
    let tube: Tube | undefined;
    try {
      const target = this.d.connections.waitsForClient
        ? await this.d.connections.target('expect', deadline)
        : this.d.connections.targetNow('expect');
      tube = target.tube;
      const pattern = resolved ?? this.tubePattern(s.pattern, target.conn, s);
      const m = await tube.expect(pattern, this.callOptions(deadline));
      this.matched(target.conn, m);
      this.d.log.report(step, { matched: matchData(m), durationMs: performance.now() - step.t0 });
    } catch (err) {
      throw this.expectFailure(s, err, tube, timeoutMs);
    }
  }

  /** Waits until one branch's pattern matches (or its timeout branch); returns that branch's body. */
  async expectAny(s: ExpectAnyStatement): Promise<readonly Statement[]> {
    const step = this.d.log.begin(s);
    const timeoutMs = this.timeoutOf(s.timeout);
    const deadline = step.t0 + timeoutMs;
    const onTimeout = s.branches.find((b) => b.pattern.kind === 'timeout');
    const waiting = s.branches.filter((b) => b.pattern.kind !== 'timeout');
    let tube: Tube | undefined;
    let chosen: Branch;
    try {
      const target = await this.d.connections.target('expect-any', deadline);
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
      this.d.log.report(step, {
        matched: { ...matchData(m), branch: patternSource(chosen.pattern) },
        durationMs: performance.now() - step.t0,
      });
    } catch (err) {
      if (!(err instanceof TimeoutError && onTimeout)) throw this.expectFailure(s, err, tube, timeoutMs);
      this.d.log.report(step, {
        durationMs: performance.now() - step.t0,
        note: `nothing matched in ${formatDuration(timeoutMs)}: timeout branch`,
      });
      chosen = onTimeout;
    }
    return chosen.body;
  }

  private callOptions(deadline: number): { timeout: number; encoding: string } {
    return { timeout: Math.max(0, deadline - performance.now()), encoding: this.d.session.settings.encoding };
  }

  private matched(conn: Conn, m: ExpectMatch): void {
    if (m.data !== undefined) consumeFrame(conn, m.data);
    this.d.vars.setCaptures(m);
  }

  /** Turns what stopped an expect into the failure to report (or passes a usage error through). */
  private expectFailure(
    s: ExpectStatement | ExpectAnyStatement,
    err: unknown,
    tube: Tube | undefined,
    timeoutMs: number,
  ): unknown {
    const failMessage = s.failMessage ? this.d.vars.expand(s.failMessage) : '';
    const ctx = { file: this.d.file, encoding: this.d.session.settings.encoding, failMessage };
    return expectFailureOf(ctx, s, err, tube, timeoutMs) ?? positionedError(this.d.file, s, err);
  }
}
