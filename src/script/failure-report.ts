import { formatDuration } from '../codec/units.js';
import { EXIT, NetError } from '../errors.js';
import { EofError, ExpectError, TimeoutError } from '../tube/errors.js';
import type { ExpectMatch, Tube } from '../tube/tube.js';
import type { ExpectAnyStatement, ExpectStatement, Pattern, Statement } from './ast.js';
import { ScriptExpectFailure } from './script-errors.js';
import type { FailureReport, StepData } from './transcript.js';

/** What the transcript says about a failed step: where, why, and what had been received. */

export interface FailureContext {
  file: string;
  encoding: string;
  /** The script's own `or fail "message"` for this step, expanded; '' when none. */
  failMessage: string;
}

export function reportOf(
  ctx: Pick<FailureContext, 'file' | 'encoding'>,
  s: Statement,
  reason: string,
  received: Uint8Array,
  expected?: string,
): FailureReport {
  const r: FailureReport = {
    file: ctx.file,
    line: s.pos.line,
    col: s.pos.col,
    command: s.text,
    reason,
    received,
    encoding: ctx.encoding,
  };
  if (expected) r.expected = expected;
  return r;
}

/**
 * Turns what stopped an expect into the failure to report; undefined for an error that is not an
 * expectation's (a usage error), which the caller positions and passes on.
 */
export function expectFailureOf(
  ctx: FailureContext,
  s: ExpectStatement | ExpectAnyStatement,
  err: unknown,
  tube: Tube | undefined,
  timeoutMs: number,
): ScriptExpectFailure | undefined {
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
    return undefined;
  }
  if (ctx.failMessage !== '') reason = ctx.failMessage;
  return new ScriptExpectFailure(reportOf(ctx, s, reason, received, expected), exitCode, code);
}

/** A match as the transcript shows it. */
export function matchData(m: ExpectMatch): StepData {
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
