import { SESSION_COMMANDS } from '../modes/session-commands.js';
import type { CommandSpec } from '../session/command-spec.js';
import {
  type Branch,
  type ExpectAnyStatement,
  literalText,
  type Pos,
  type Script,
  type Statement,
} from './ast.js';
import { SCRIPT_COMMANDS } from './commands.js';
import { type Context, MAX_NESTING } from './lexer.js';
import { parseReplCommand } from './parse-command.js';
import { parseConnectOrListen } from './parse-connect.js';
import { ParseCursor } from './parse-cursor.js';
import { parseExpect, parsePattern, parseTimeoutAndFail } from './parse-expect.js';
import { parseSpawn } from './parse-spawn.js';
import { ScriptSyntaxError, ScriptSyntaxErrors } from './script-errors.js';

/**
 * Parses a `.srs` script into statements with source positions. Every syntax error is collected
 * (the parser recovers at the next command) so that a script is fixed in one pass and nothing runs
 * until it parses. Values that hold variables are checked when they run instead.
 */

export interface ParseOptions {
  /** Shown in errors: `login.srs:3:7: ...`. */
  file?: string;
  /** The session's commands (the interpreter's registry); default: the built-in ones. */
  commands?: readonly CommandSpec[];
}

export interface ParseResult {
  script: Script;
  errors: ScriptSyntaxError[];
}

/** The most repeat may be asked for: beyond it a typo (an extra zero) is likelier than intent. */
export const MAX_REPEAT = 1_000_000_000;

export function parseScript(source: string, options: ParseOptions = {}): ParseResult {
  const parser = new Parser(source, options);
  const statements = parser.parseTop();
  return { script: { file: parser.file, statements }, errors: parser.errors };
}

/** Parses, or throws every syntax error at once (one ScriptSyntaxError, or ScriptSyntaxErrors). */
export function parseScriptOrThrow(source: string, options: ParseOptions = {}): Script {
  const { script, errors } = parseScript(source, options);
  if (errors.length === 1) throw errors[0]!;
  if (errors.length > 1) throw new ScriptSyntaxErrors(errors);
  return script;
}

/** Statements and blocks; each kind of line is read by its own parse-*.ts function. */
class Parser extends ParseCursor {
  /** Blocks and expect-any bodies open around the current position. */
  private depth = 0;

  constructor(source: string, options: ParseOptions) {
    super(source, options.file ?? '<script>', options.commands ?? SESSION_COMMANDS);
  }

  parseTop(): Statement[] {
    const out: Statement[] = [];
    for (;;) {
      this.lx.skipSeparators('top');
      if (this.lx.eof()) return out;
      if (this.lx.peek() === '}') {
        this.report(this.lx.i, "unexpected '}': no block is open");
        this.lx.i++;
        continue;
      }
      this.statementInto(out, 'top');
    }
  }

  /** Statements up to the `}` that closes a block opened at `openedAt` (the `}` is consumed). */
  private parseBlock(openedAt: number): Statement[] {
    return this.nested(openedAt, () => this.blockBody(openedAt));
  }

  /** Runs a nested read; beyond MAX_NESTING levels a syntax error, not a stack overflow. */
  private nested<T>(openedAt: number, read: () => T): T {
    if (this.depth >= MAX_NESTING) {
      this.lx.i = this.lx.source.length;
      throw this.lx.error(openedAt, `blocks nested more than ${MAX_NESTING} deep`);
    }
    this.depth++;
    try {
      return read();
    } finally {
      this.depth--;
    }
  }

  private blockBody(openedAt: number): Statement[] {
    const out: Statement[] = [];
    for (;;) {
      this.lx.skipSeparators('block');
      if (this.lx.eof()) {
        this.report(openedAt, "'{' is never closed (a '}' must be separated from the text before it)");
        return out;
      }
      if (this.lx.peek() === '}') {
        this.lx.i++;
        return out;
      }
      this.statementInto(out, 'block');
    }
  }

  private statementInto(out: Statement[], ctx: Context): void {
    try {
      const s = this.statement(ctx);
      if (s) out.push(s);
    } catch (err) {
      if (!(err instanceof ScriptSyntaxError)) throw err;
      this.errors.push(err);
      this.lx.skipToCommandEnd(ctx);
    }
  }

  private statement(ctx: Context): Statement | undefined {
    const { word, start } = this.lx.readCommandWord(ctx);
    const name = word.startsWith('/') ? word.slice(1) : word;
    if (name === '') throw this.lx.error(start, "a command name must follow '/'");
    const pos = this.lx.pos(start);
    let s: Statement | undefined;
    switch (name) {
      case 'connect':
      case 'listen':
        s = parseConnectOrListen(this, name, ctx, start, pos);
        break;
      case 'spawn':
        s = parseSpawn(this, ctx, start, pos);
        break;
      case 'expect':
        s = parseExpect(this, ctx, start, pos);
        break;
      case 'expect-any':
        s = this.expectAny(ctx, start, pos);
        break;
      case 'repeat':
        s = this.repeat(ctx, start, pos);
        break;
      case 'sleep':
      case 'timeout': {
        const d = this.oneDuration(ctx, name);
        s = { type: name, duration: d, pos, text: this.textFrom(start) };
        break;
      }
      case 'set':
        s = this.set(ctx, start, pos);
        break;
      case 'fail': {
        const message = this.message(ctx);
        s = { type: 'fail', pos, text: this.textFrom(start) };
        if (message) s.message = message;
        break;
      }
      case 'interactive': {
        const conn = this.nextToken(ctx);
        s = { type: 'interactive', pos, text: this.textFrom(start) };
        if (conn) s.conn = conn.value;
        break;
      }
      default:
        s = parseReplCommand(this, name, ctx, start, pos);
    }
    this.endOfCommand(ctx);
    return s;
  }

  // ---- REPL commands ------------------------------------------------------------------------

  // ---- connect / listen -----------------------------------------------------------------------

  // ---- expect ---------------------------------------------------------------------------------

  private expectAny(ctx: Context, start: number, pos: Pos): ExpectAnyStatement {
    const s: ExpectAnyStatement = { type: 'expect-any', branches: [], pos, text: '' };
    const before = this.nextToken(ctx);
    if (before) s.timeout = this.duration(before, 'timeout');
    this.lx.skipBlanks();
    if (this.lx.peek() !== '{') {
      throw this.lx.error(
        this.lx.i,
        'expect-any needs \'{\' on the same line: expect-any { "A" -> cmd; /B/ -> cmd }',
      );
    }
    const open = this.lx.i;
    s.text = this.textFrom(start);
    this.lx.i++;
    s.branches = this.nested(open, () => this.branches(open));
    if (s.branches.length === 0)
      this.report(open, 'expect-any needs at least one branch: pattern -> command');
    const timeouts = s.branches.filter((b) => b.pattern.kind === 'timeout');
    if (timeouts.length > 1) this.report(timeouts[1]!.pos, "only one 'timeout' branch is allowed");
    parseTimeoutAndFail(this, ctx, s);
    return s;
  }

  private branches(openedAt: number): Branch[] {
    const out: Branch[] = [];
    for (;;) {
      this.lx.skipSeparators('block');
      if (this.lx.eof()) {
        this.report(openedAt, "'{' of expect-any is never closed");
        return out;
      }
      if (this.lx.peek() === '}') {
        this.lx.i++;
        return out;
      }
      try {
        out.push(this.branch());
        this.lx.skipBlanks();
        if (!this.lx.atCommandEnd('block'))
          throw this.lx.error(this.lx.i, "expected ';', a new line or '}' after the branch");
      } catch (err) {
        if (!(err instanceof ScriptSyntaxError)) throw err;
        this.errors.push(err);
        this.lx.skipToCommandEnd('block');
      }
    }
  }

  private branch(): Branch {
    const tok = this.lx.readToken('block', { regex: true });
    const pattern = parsePattern(this, tok, true);
    if (!this.lx.readArrow())
      throw this.lx.error(this.lx.i, 'expected \'->\' after the pattern, as in "OK" -> send "next"');
    this.lx.skipBlanks();
    let body: Statement[];
    if (this.lx.peek() === '{') {
      const open = this.lx.i++;
      body = this.parseBlock(open);
    } else if (this.lx.atCommandEnd('block')) {
      throw this.lx.error(this.lx.i, "expected a command after '->' (or {} to do nothing)");
    } else {
      const s = this.statement('block');
      body = s ? [s] : [];
    }
    return { pattern, body, pos: tok.pos };
  }

  // ---- control and variables ------------------------------------------------------------------

  private repeat(ctx: Context, start: number, pos: Pos): Statement {
    const countTok = this.nextToken(ctx);
    if (!countTok) throw this.lx.error(this.lx.i, 'repeat needs a count: repeat 10 { ... }');
    const n = literalText(countTok.value);
    if (n !== undefined) {
      if (!/^\d+$/.test(n) || Number(n) > MAX_REPEAT) {
        this.report(countTok.pos, `repeat: '${n}' is not a whole number from 0 to ${MAX_REPEAT}`);
      }
    }
    this.lx.skipBlanks();
    if (this.lx.peek() !== '{')
      throw this.lx.error(this.lx.i, "repeat needs '{' on the same line: repeat 3 { ... }");
    const text = this.textFrom(start);
    const open = this.lx.i++;
    const body = this.parseBlock(open);
    return { type: 'repeat', count: countTok.value, body, pos, text };
  }

  private set(ctx: Context, start: number, pos: Pos): Statement {
    const tokens = this.args(ctx);
    const nameTok = tokens[0];
    const name = nameTok && literalText(nameTok.value);
    if (!nameTok || name === undefined || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || nameTok.kind !== 'word') {
      throw this.lx.error(
        nameTok?.start ?? this.lx.i,
        'set needs a variable name (letters, digits, _): set NAME value',
      );
    }
    const rest = tokens.slice(1);
    if (rest.length === 0)
      throw this.lx.error(this.lx.i, `set ${name}: missing value (write "" for an empty one)`);
    return { type: 'set', name, value: this.valueOf(rest), pos, text: this.textFrom(start) };
  }
}

/** The command words the parser knows, for help and completion. */
export function scriptCommandWords(): string[] {
  return [...SCRIPT_COMMANDS];
}
