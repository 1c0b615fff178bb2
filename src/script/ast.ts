/**
 * The syntax tree of a `.srs` script. Every node keeps its source position so that syntax errors,
 * undefined variables and failed expectations can all be reported as `file:line:col`.
 * Anything that may contain `${VAR}` is a Template: variables are expanded when the step runs,
 * not when the script is parsed, because captures only exist after an expect has matched.
 */

export interface Pos {
  /** 1-based line. */
  line: number;
  /** 1-based column, counted in UTF-16 code units as editors and `node` report them. */
  col: number;
  /** 0-based offset into the source. */
  offset: number;
}

export type TemplatePart =
  /** Characters; encoded with the session's text encoding when bytes are needed. */
  | { kind: 'text'; text: string }
  /** Exact bytes from `\xNN` and `\0` escapes, never re-encoded. */
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'var'; ref: VarRef };

export interface Template {
  parts: TemplatePart[];
  pos: Pos;
  /** The source text the template came from, for messages and the transcript. */
  source: string;
  /** True when the value came from a regex literal: variables are inserted regex-escaped. */
  regex?: boolean;
}

export interface VarRef {
  /** `HOST`, `1`, or a named group. */
  name: string;
  /** `${NAME:-default}`: used when NAME is unset or empty. */
  fallback?: Template;
  pos: Pos;
  source: string;
}

export type Pattern =
  | { kind: 'text'; value: Template; pos: Pos }
  | { kind: 'regex'; source: Template; flags: string; pos: Pos }
  /** Hex digits as written after `hex:`; checked at parse time when they hold no variables. */
  | { kind: 'hex'; value: Template; pos: Pos }
  | { kind: 'eof'; pos: Pos }
  /** The next whole frame, when framing is on. */
  | { kind: 'frame'; pos: Pos }
  /** Only in `expect-any`: the branch taken when nothing matched in time. */
  | { kind: 'timeout'; pos: Pos };

/** One shell-like argument: quotes removed, escapes of `"..."` decoded. */
export interface Arg {
  kind: 'word' | 'string';
  value: Template;
  pos: Pos;
}

/** `nodelay`, `source-port=40000`: a connect/listen option as a word, its name already checked. */
export interface OptionWord {
  /** The CLI's long option name (`source-port`) or the socket-option table's name (`keepalive-idle`). */
  name: string;
  value?: Template;
  pos: Pos;
}

export interface Branch {
  pattern: Pattern;
  body: Statement[];
  pos: Pos;
}

interface Node {
  pos: Pos;
  /** The statement's source text (its first line for blocks), for the transcript. */
  text: string;
}

/** `connect host port [options]`, or `connect unix=PATH [options]` with neither host nor port. */
export interface ConnectStatement extends Node {
  type: 'connect';
  host?: Template;
  port?: Template;
  options: OptionWord[];
}

/** `listen [host] port [options]`, or `listen unix=PATH [options]`. */
export interface ListenStatement extends Node {
  type: 'listen';
  host?: Template;
  port?: Template;
  options: OptionWord[];
}

/** `spawn [pty] [pty-size=120x40] [stderr=merge] "cmd" args...`: a program as a connection. */
export interface SpawnStatement extends Node {
  type: 'spawn';
  /** The program and its arguments, each expanded when the step runs. */
  argv: Template[];
  pty: boolean;
  ptySize?: Template;
  stderr?: Template;
}

export interface ExpectStatement extends Node {
  type: 'expect';
  pattern: Pattern;
  timeout?: Template;
  failMessage?: Template;
}

export interface ExpectAnyStatement extends Node {
  type: 'expect-any';
  branches: Branch[];
  timeout?: Template;
  failMessage?: Template;
}

export interface RepeatStatement extends Node {
  type: 'repeat';
  count: Template;
  body: Statement[];
}

export interface SleepStatement extends Node {
  type: 'sleep';
  duration: Template;
}

/** `timeout 5s`: the default timeout of the expects that follow. */
export interface TimeoutStatement extends Node {
  type: 'timeout';
  duration: Template;
}

export interface SetStatement extends Node {
  type: 'set';
  name: string;
  value: Template;
}

/** `fail "message"`: stop the script as a failed expectation (exit 3). */
export interface FailStatement extends Node {
  type: 'fail';
  message?: Template;
}

/** `interactive [id]`: the connection is the user's (the screen, or stdin/stdout) until they quit. */
export interface InteractiveStatement extends Node {
  type: 'interactive';
  /** Which connection (its id); the current target when left out. */
  conn?: Template;
}

/** A REPL command (design section 3); the interpreter owns its meaning. */
export interface CommandStatement extends Node {
  type: 'command';
  name: string;
  /** The argument text as typed (quotes and escapes kept), with variables still to expand. */
  raw: Template;
  args: Arg[];
}

export type Statement =
  | ConnectStatement
  | ListenStatement
  | SpawnStatement
  | ExpectStatement
  | ExpectAnyStatement
  | RepeatStatement
  | SleepStatement
  | TimeoutStatement
  | SetStatement
  | FailStatement
  | InteractiveStatement
  | CommandStatement;

export interface Script {
  file: string;
  statements: Statement[];
}

/** The template's text when it holds no variables (and no raw bytes), else undefined. */
export function literalText(t: Template): string | undefined {
  let out = '';
  for (const p of t.parts) {
    if (p.kind !== 'text') return undefined;
    out += p.text;
  }
  return out;
}

export function hasVariables(t: Template): boolean {
  return t.parts.some((p) => p.kind === 'var');
}
