import { compileRegex } from '../codec/regex-literal.js';
import { resolveEncoding } from '../codec/text.js';
import { parseDuration, parsePort } from '../codec/units.js';
import { UsageError } from '../errors.js';
import { SESSION_COMMANDS } from '../modes/session-commands.js';
import { findSocketOption, parseOptionValue } from '../net/socket-options.js';
import type { LineKind as ConnKind } from '../options/option-table.js';
import { checkOptionWord, lookupOptionWord, resolveOptionWords } from '../options/option-words.js';
import type { CommandSpec } from '../session/command-spec.js';
import {
  type Arg,
  type Branch,
  type CommandStatement,
  type ConnectStatement,
  type ExpectAnyStatement,
  type ExpectStatement,
  type ListenStatement,
  literalText,
  type OptionWord,
  type Pattern,
  type Pos,
  type Script,
  type Statement,
  type Template,
} from './ast.js';
import { findCommandSpec, SCRIPT_COMMANDS, suggestCommand } from './commands.js';
import { parseHexBytes } from './hex-literal.js';
import { type Context, dropPrefix, joinTemplates, Lexer, type Token, textTemplate } from './lexer.js';
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

class Parser {
  readonly file: string;
  readonly errors: ScriptSyntaxError[] = [];
  private readonly lx: Lexer;
  private readonly commands: readonly CommandSpec[];

  constructor(source: string, options: ParseOptions) {
    this.file = options.file ?? '<script>';
    // A byte-order mark from a Windows editor is not part of the first command.
    this.lx = new Lexer(source.startsWith('\uFEFF') ? ` ${source.slice(1)}` : source, this.file);
    this.commands = options.commands ?? SESSION_COMMANDS;
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
        s = this.connectOrListen(name, ctx, start, pos);
        break;
      case 'expect':
        s = this.expect(ctx, start, pos);
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
      default:
        s = this.replCommand(name, ctx, start, pos);
    }
    this.endOfCommand(ctx);
    return s;
  }

  /** After a command: only blanks, a comment, or a separator may follow. */
  private endOfCommand(ctx: Context): void {
    this.lx.skipBlanks();
    if (!this.lx.atCommandEnd(ctx)) {
      const rest = this.lx.source.slice(this.lx.i).split('\n')[0]!.trim();
      throw this.lx.error(this.lx.i, `unexpected '${rest}' at the end of the command`);
    }
  }

  private report(offset: number | Pos, reason: string): void {
    const pos = typeof offset === 'number' ? this.lx.pos(offset) : offset;
    this.errors.push(new ScriptSyntaxError(this.file, pos, reason));
  }

  /** Runs a check of a literal value; its UsageError becomes a syntax error at `pos`. */
  private check(pos: Pos, what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      this.report(pos, what ? `${what}: ${err.message}` : err.message);
    }
  }

  private textFrom(start: number): string {
    return this.lx.source.slice(start, this.lx.i).split('\n')[0]!.trim();
  }

  /** Every token up to the end of the command. */
  private args(ctx: Context): Token[] {
    const out: Token[] = [];
    for (;;) {
      this.lx.skipBlanks();
      if (this.lx.atCommandEnd(ctx)) return out;
      out.push(this.lx.readToken(ctx));
    }
  }

  private nextToken(ctx: Context, options: { regex?: boolean } = {}): Token | undefined {
    this.lx.skipBlanks();
    if (this.lx.atCommandEnd(ctx) || this.lx.peek() === '{') return undefined;
    return this.lx.readToken(ctx, options);
  }

  // ---- REPL commands ------------------------------------------------------------------------

  private replCommand(name: string, ctx: Context, start: number, pos: Pos): CommandStatement {
    const spec = findCommandSpec(this.commands, name);
    if (!spec) {
      const near = suggestCommand(name, this.commands);
      throw this.lx.error(start, `unknown command '${name}'${near ? ` (did you mean '${near}'?)` : ''}`);
    }
    const tokens = this.args(ctx);
    const args: Arg[] = tokens.map((t) => ({
      kind: t.kind === 'string' ? 'string' : 'word',
      value: t.value,
      pos: t.pos,
    }));
    const raw = this.rawOf(tokens, pos);
    const s: CommandStatement = { type: 'command', name, raw, args, pos, text: this.textFrom(start) };
    const arity = spec.args;
    if (!arity) return s;
    if (args.length < arity.min || (arity.max !== undefined && args.length > arity.max)) {
      this.report(
        pos,
        `${name}: ${args.length < arity.min ? 'missing argument' : 'too many arguments'}; usage: ${spec.usage.replace(/^\//, '')}`,
      );
      return s;
    }
    const first = args[0] && literalText(args[0].value);
    if (arity.choices && first !== undefined && !arity.choices.includes(first)) {
      this.report(args[0]!.pos, `${name}: '${first}' is not one of ${arity.choices.join(', ')}`);
    }
    this.checkReplArgs(name, args);
    return s;
  }

  /** Checks what can be checked before running: option names, encodings, hex bytes. */
  private checkReplArgs(name: string, args: Arg[]): void {
    const lit = args.map((a) => literalText(a.value));
    if (name === 'opt' && lit[0] !== undefined) {
      const optName = lit[0];
      this.check(args[0]!.pos, 'opt', () => {
        const spec = findSocketOption(optName);
        if (lit[1] !== undefined) parseOptionValue(spec, lit[1]);
      });
    } else if (name === 'enc' && lit[0] !== undefined) {
      const enc = lit[0];
      this.check(args[0]!.pos, 'enc', () => resolveEncoding(enc));
    } else if (name === 'hex' && lit.every((t) => t !== undefined)) {
      this.check(args[0]!.pos, 'hex', () => parseHexBytes(lit.join(' ')));
    }
  }

  /** The argument text as typed: each token's raw form with the source's own spacing between. */
  private rawOf(tokens: Token[], pos: Pos): Template {
    if (tokens.length === 0) return textTemplate('', pos);
    const first = tokens[0]!;
    const last = tokens.at(-1)!;
    const items = tokens.map((t, k) => ({
      t: t.raw,
      sep: k === 0 ? '' : this.lx.source.slice(tokens[k - 1]!.end, t.start),
    }));
    return joinTemplates(items, first.pos, this.lx.source.slice(first.start, last.end));
  }

  // ---- connect / listen -----------------------------------------------------------------------

  private connectOrListen(
    kind: ConnKind,
    ctx: Context,
    start: number,
    pos: Pos,
  ): ConnectStatement | ListenStatement {
    const tokens = this.args(ctx);
    const positional: Token[] = [];
    const options: OptionWord[] = [];
    for (const t of tokens) {
      const word = t.kind === 'word' ? optionName(t.value) : undefined;
      const looksLikeOption =
        word !== undefined && (word.hasValue || lookupOptionWord(word.name) !== undefined);
      // connect always takes host and port first; listen's host is optional, so an option word ends it.
      if (options.length === 0 && positional.length < 2 && (kind === 'connect' || !looksLikeOption)) {
        positional.push(t);
        continue;
      }
      if (!word) {
        this.report(t.pos, `${kind}: '${t.value.source}' is not an option (write name or name=value)`);
        continue;
      }
      let canonical: string;
      try {
        canonical = checkOptionWord(word.name, word.hasValue, kind).name;
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        this.report(t.pos, err.message);
        continue;
      }
      const o: OptionWord = { name: canonical, pos: t.pos };
      if (word.value) o.value = word.value;
      options.push(o);
    }
    const usage = kind === 'connect' ? 'connect <host> <port> [options]' : 'listen [host] <port> [options]';
    if (positional.length < (kind === 'connect' ? 2 : 1)) {
      throw this.lx.error(
        start,
        `${kind}: missing ${positional.length === 0 ? 'address' : 'port'}; usage: ${usage}`,
      );
    }
    const portTok = positional.at(-1)!;
    const hostTok = positional.length === 2 ? positional[0] : undefined;
    const portText = literalText(portTok.value);
    if (portText !== undefined) {
      this.check(portTok.pos, kind, () => {
        const port = parsePort(portText, 'port');
        if (kind === 'connect' && port === 0) throw new UsageError('port 0 cannot be connected to');
      });
    }
    this.checkOptionValues(kind, options, pos);
    const text = this.textFrom(start);
    if (kind === 'connect')
      return { type: 'connect', host: hostTok!.value, port: portTok.value, options, pos, text };
    const s: ListenStatement = { type: 'listen', port: portTok.value, options, pos, text };
    if (hostTok) s.host = hostTok.value;
    return s;
  }

  /** Literal option values are checked now, by the CLI's own resolver (one by one, then together). */
  private checkOptionValues(kind: ConnKind, options: OptionWord[], pos: Pos): void {
    const literal: { name: string; value?: string }[] = [];
    for (const o of options) {
      const value = o.value === undefined ? undefined : literalText(o.value);
      if (o.value !== undefined && value === undefined) return;
      const word = value === undefined ? { name: o.name } : { name: o.name, value };
      try {
        resolveOptionWords([word], kind);
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        this.report(o.pos, err.message);
        return;
      }
      literal.push(word);
    }
    this.check(pos, kind, () => resolveOptionWords(literal, kind));
  }

  // ---- expect ---------------------------------------------------------------------------------

  private expect(ctx: Context, start: number, pos: Pos): ExpectStatement {
    const tok = this.nextToken(ctx, { regex: true });
    if (!tok) {
      throw this.lx.error(this.lx.i, 'expect needs a pattern: "text", /regex/, hex:"de ad", eof or frame');
    }
    const pattern = this.pattern(tok, false);
    const s: ExpectStatement = { type: 'expect', pattern, pos, text: '' };
    this.timeoutAndFail(ctx, s);
    s.text = this.textFrom(start);
    return s;
  }

  /** `[timeout] [or fail "message"]` after a pattern or an expect-any block. */
  private timeoutAndFail(ctx: Context, s: { timeout?: Template; failMessage?: Template }): void {
    let tok = this.nextToken(ctx);
    if (tok && !(tok.kind === 'word' && literalText(tok.value) === 'or')) {
      if (s.timeout) throw this.lx.error(tok.start, 'the timeout is given twice');
      s.timeout = this.duration(tok, 'timeout');
      tok = this.nextToken(ctx);
    }
    if (!tok) return;
    if (!(tok.kind === 'word' && literalText(tok.value) === 'or')) {
      throw this.lx.error(tok.start, `unexpected '${tok.value.source}': expected 'or fail "message"'`);
    }
    const fail = this.nextToken(ctx);
    if (!fail || literalText(fail.value) !== 'fail')
      throw this.lx.error(fail?.start ?? this.lx.i, "expected 'fail' after 'or'");
    s.failMessage = this.message(ctx) ?? textTemplate('', fail.pos);
  }

  private pattern(tok: Token, inBranch: boolean): Pattern {
    const pos = tok.pos;
    if (tok.kind === 'regex') {
      const flags = tok.flags ?? '';
      const src = literalText(tok.value);
      if (src !== undefined) this.check(pos, 'bad regex', () => compileRegex(src, flags));
      return { kind: 'regex', source: tok.value, flags, pos };
    }
    if (tok.kind === 'string') {
      if (tok.value.parts.length === 0) this.report(pos, 'an empty pattern matches nothing useful');
      return { kind: 'text', value: tok.value, pos };
    }
    const word = literalText(tok.value);
    if (word === 'eof' || word === 'frame') return { kind: word, pos };
    if (word === 'timeout') {
      if (!inBranch) throw this.lx.error(tok.start, "'timeout' is a pattern only inside expect-any");
      return { kind: 'timeout', pos };
    }
    const first = tok.value.parts[0];
    if (first?.kind === 'text' && first.text.startsWith('hex:')) {
      const value = dropPrefix(tok.value, 4);
      const hex = literalText(value);
      if (hex !== undefined) this.check(value.pos, 'hex', () => parseHexBytes(hex));
      return { kind: 'hex', value, pos };
    }
    return { kind: 'text', value: tok.value, pos };
  }

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
    s.branches = this.branches(open);
    if (s.branches.length === 0)
      this.report(open, 'expect-any needs at least one branch: pattern -> command');
    const timeouts = s.branches.filter((b) => b.pattern.kind === 'timeout');
    if (timeouts.length > 1) this.report(timeouts[1]!.pos, "only one 'timeout' branch is allowed");
    this.timeoutAndFail(ctx, s);
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
    const pattern = this.pattern(tok, true);
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

  /** A message or value: one quoted string as is, or the words with the source's spacing. */
  private valueOf(tokens: Token[]): Template {
    const first = tokens[0]!;
    if (tokens.length === 1) return first.value;
    const last = tokens.at(-1)!;
    const items = tokens.map((t, k) => ({
      t: t.value,
      sep: k === 0 ? '' : this.lx.source.slice(tokens[k - 1]!.end, t.start),
    }));
    return joinTemplates(items, first.pos, this.lx.source.slice(first.start, last.end));
  }

  private message(ctx: Context): Template | undefined {
    const tokens = this.args(ctx);
    return tokens.length === 0 ? undefined : this.valueOf(tokens);
  }

  private oneDuration(ctx: Context, what: string): Template {
    const tok = this.nextToken(ctx);
    if (!tok) throw this.lx.error(this.lx.i, `${what} needs a duration, as in ${what} 500ms or ${what} 2s`);
    return this.duration(tok, what);
  }

  private duration(tok: Token, what: string): Template {
    const text = literalText(tok.value);
    if (text !== undefined) this.check(tok.pos, '', () => parseDuration(text, what));
    return tok.value;
  }
}

/** `name` or `name=value` when the word's name part is literal; undefined for other words. */
function optionName(t: Template): { name: string; hasValue: boolean; value?: Template } | undefined {
  const first = t.parts[0];
  if (first?.kind !== 'text') return undefined;
  const eq = first.text.indexOf('=');
  if (eq < 0) return t.parts.length === 1 ? { name: first.text, hasValue: false } : undefined;
  const name = first.text.slice(0, eq);
  if (!/^(--)?[A-Za-z][A-Za-z0-9_-]*$/.test(name)) return undefined;
  return { name, hasValue: true, value: dropPrefix(t, eq + 1) };
}

/** The command words the parser knows, for help and completion. */
export function scriptCommandWords(): string[] {
  return [...SCRIPT_COMMANDS];
}
