import { readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { EXIT, isSockreplError, UsageError } from '../errors.js';
import { createInterpreter, createSession } from '../modes/open-session.js';
import type { ConnectionOptions } from '../options/connection-options.js';
import type { Interpreter } from '../session/interpreter.js';
import type { Session } from '../session/session.js';
import type { Script } from './ast.js';
import { parseScript, parseScriptOrThrow } from './parse.js';
import { DEFAULT_EXPECT_TIMEOUT_MS, ScriptRunner } from './runner.js';
import { ScriptConnections } from './script-connections.js';
import { ScriptExpectFailure, ScriptSyntaxError, ScriptSyntaxErrors } from './script-errors.js';
import { jsonSink, type TranscriptSink, textSink } from './transcript-sink.js';
import { Variables } from './variables.js';

/**
 * `sockrepl run script.srs`: read, parse (every syntax error reported before anything connects),
 * run against a session, print the transcript, and resolve with the exit code: 0 passed, 1 a
 * network error, 2 a usage or script error, 3 an expectation failed.
 */

export interface RunScriptOptions {
  /** `--var NAME=value` pairs. */
  vars: Readonly<Record<string, string>>;
  json: boolean;
  /** The command line's connection, display and plugin options. */
  cli: ConnectionOptions;
  env?: Readonly<Record<string, string | undefined>>;
  stdout?: Writable;
  stderr?: Writable;
}

export async function runScriptFile(file: string, options: RunScriptOptions): Promise<number> {
  let source: string;
  try {
    // Synchronously: nothing else is going on yet, and the first use of the thread pool costs more.
    source = readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return reportEarly(new UsageError(`run: cannot read ${file}: ${e.code ?? e.message}`), options);
  }
  return runScriptSource(source, file, options);
}

export async function runScriptSource(
  source: string,
  file: string,
  options: RunScriptOptions,
): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const sink = options.json ? jsonSink(stdout) : textSink(stdout, stderr);
  let session: Session;
  let interpreter: Interpreter;
  let script: Script;
  try {
    // The session and its interpreter are made first (they load --plugin modules, whose
    // commands the parser must know); nothing opens until a connect or listen line runs.
    session = await createSession(
      {
        kind: firstEndpointKind(source, file),
        port: 0,
        options: { ...options.cli, keepOpen: true, record: undefined },
      },
      // A script shows steps, not the traffic log: keep only a little (/save, /inspect), so that a
      // long run does not carry thousands of old events through every garbage collection. Its
      // connections read on demand, as pwntools does (receive: {}), rather than dropping bytes.
      {
        decodeText: false,
        kernelRefreshMs: 0,
        logLimits: { maxEntries: 1024, maxBytes: 1024 * 1024 },
        receive: {},
      },
    );
    interpreter = createInterpreter(session, { defaultExpectTimeoutMs: DEFAULT_EXPECT_TIMEOUT_MS });
    script = parseScriptOrThrow(source, { file, commands: interpreter.commands });
  } catch (err) {
    if (err instanceof ScriptSyntaxError || err instanceof ScriptSyntaxErrors) {
      return finish(sink, () => sink.error(err.message, err.code, EXIT.usage), EXIT.usage);
    }
    if (!isSockreplError(err)) throw err;
    return finish(sink, () => sink.error(`sockrepl: ${err.message}`, err.code, err.exitCode), err.exitCode);
  }
  const vars = new Variables({ vars: options.vars, env: options.env ?? process.env, file });
  const connections = new ScriptConnections(session);
  const runner = new ScriptRunner({
    script,
    session,
    connections,
    interpreter,
    vars,
    cli: options.cli,
    sink,
    json: options.json,
    output: options.stdout,
  });
  let code: number = EXIT.ok;
  let report = () => {};
  try {
    await runner.run();
  } catch (err) {
    if (err instanceof ScriptExpectFailure) {
      code = err.exitCode;
      report = () => sink.failure(err.report, err.exitCode);
    } else if (isSockreplError(err)) {
      code = err.exitCode;
      report = () => sink.error(err.message, err.code, err.exitCode);
    } else {
      await connections.close().catch(() => undefined);
      throw err;
    }
  }
  await connections.close().catch(() => undefined);
  return finish(sink, report, code, { steps: runner.stepCount, elapsedMs: runner.elapsed() });
}

/** Reports, then (when the script ran) the verdict line; resolves once the output is written. */
async function finish(
  sink: TranscriptSink,
  report: () => void,
  code: number,
  ran?: { steps: number; elapsedMs: number },
): Promise<number> {
  report();
  if (ran) sink.done(code, ran.steps, ran.elapsedMs);
  await sink.flush();
  return code;
}

function reportEarly(err: UsageError, options: RunScriptOptions): Promise<number> {
  const sink = options.json
    ? jsonSink(options.stdout ?? process.stdout)
    : textSink(options.stdout ?? process.stdout, options.stderr ?? process.stderr);
  return finish(sink, () => sink.error(`sockrepl: ${err.message}`, err.code, err.exitCode), err.exitCode);
}

/** Whether the script's first endpoint line listens (the session's mode); errors are found later. */
function firstEndpointKind(source: string, file: string): 'connect' | 'listen' {
  const { script } = parseScript(source, { file });
  const first = findFirst(script.statements);
  return first ?? 'connect';
}

function findFirst(statements: Script['statements']): 'connect' | 'listen' | undefined {
  for (const s of statements) {
    if (s.type === 'connect' || s.type === 'listen') return s.type;
    // A program is one connection, as a connect's socket is.
    if (s.type === 'spawn') return 'connect';
    if (s.type === 'repeat') {
      const inner = findFirst(s.body);
      if (inner) return inner;
    }
  }
  return undefined;
}
