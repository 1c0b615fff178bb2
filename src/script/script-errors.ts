import { EXIT, type ExitCode, isSockreplError, SockreplError, UsageError } from '../errors.js';
import type { Pos, Statement } from './ast.js';
import type { FailureReport } from './transcript.js';

/** A usage error at a place in a script, reported as `file:line:col: message` like a compiler does. */
abstract class PositionedScriptError extends UsageError {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** The message without the location. */
  readonly reason: string;

  constructor(file: string, pos: Pos, reason: string, options?: { cause?: unknown }) {
    super(`${file}:${pos.line}:${pos.col}: ${reason}`, options);
    this.file = file;
    this.line = pos.line;
    this.col = pos.col;
    this.reason = reason;
  }
}

/** One mistake in a script's text, found before anything runs. */
export class ScriptSyntaxError extends PositionedScriptError {}

/**
 * Every syntax error of a script at once, so a user fixes them in one go. The message is one line
 * per error; the CLI prints it as it prints any usage error (exit 2).
 */
export class ScriptSyntaxErrors extends UsageError {
  readonly errors: readonly ScriptSyntaxError[];

  constructor(errors: readonly ScriptSyntaxError[]) {
    const lines = errors.map((e) => e.message);
    if (errors.length > 1) lines.push(`${errors.length} syntax errors; nothing was run`);
    super(lines.join('\n'));
    this.errors = errors;
  }
}

/**
 * A script step that cannot run as written, found only when it runs (an undefined variable, a
 * value that is bad once expanded). A usage error: exit 2, with the step's position.
 */
export class ScriptRuntimeError extends PositionedScriptError {}

/**
 * A step that failed while running (a refused connect, a command the session rejected), reported
 * as `file:line:col: <the step as written>: <why>` with the exit code of its cause: 1 for a network
 * error, 2 for a usage error.
 */
export class ScriptStepError extends SockreplError {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly reason: string;

  constructor(
    file: string,
    pos: Pos,
    reason: string,
    cause: { code: string; exitCode: ExitCode },
    options?: { cause?: unknown },
  ) {
    super(`${file}:${pos.line}:${pos.col}: ${reason}`, cause.code, cause.exitCode, options);
    this.file = file;
    this.line = pos.line;
    this.col = pos.col;
    this.reason = reason;
  }
}

/**
 * An expectation that failed (exit 3), or an expect cut short by a reset (exit 1). Carries the
 * report `formatExpectFailure` prints: what was expected and the bytes received and not matched.
 */
export class ScriptExpectFailure extends SockreplError {
  readonly report: FailureReport;

  constructor(report: FailureReport, exitCode: ExitCode = EXIT.expectFailed, code = 'EEXPECT') {
    super(`${report.file}:${report.line}:${report.col}: ${report.command}: ${report.reason}`, code, exitCode);
    this.report = report;
  }
}

/** An error of a script step as one positioned line, keeping its exit code; others pass through. */
export function positionedError(file: string, s: Statement, err: unknown): unknown {
  if (!isSockreplError(err)) return err;
  if (
    err instanceof ScriptRuntimeError ||
    err instanceof ScriptStepError ||
    err instanceof ScriptExpectFailure
  )
    return err;
  return new ScriptStepError(file, s.pos, `${s.text}: ${err.message}`, err, { cause: err });
}
