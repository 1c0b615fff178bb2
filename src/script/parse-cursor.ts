import { parseDuration } from '../codec/units.js';
import { UsageError } from '../errors.js';
import type { CommandSpec } from '../session/command-spec.js';
import { literalText, type Pos, type Template } from './ast.js';
import { type Context, Lexer, type Token } from './lexer.js';
import { ScriptSyntaxError } from './script-errors.js';
import { joinTemplates, textTemplate } from './template-parts.js';

/**
 * The parser's reading position and error list, with the small reads every statement uses
 * (tokens to the end of the command, durations, messages). Statement parsers take it as `p`.
 */
export class ParseCursor {
  readonly file: string;
  readonly errors: ScriptSyntaxError[] = [];
  readonly lx: Lexer;
  /** The session's commands (the interpreter's registry). */
  readonly commands: readonly CommandSpec[];

  constructor(source: string, file: string, commands: readonly CommandSpec[]) {
    this.file = file;
    // A byte-order mark from a Windows editor is not part of the first command.
    this.lx = new Lexer(source.startsWith('\uFEFF') ? ` ${source.slice(1)}` : source, this.file);
    this.commands = commands;
  }

  /** After a command: only blanks, a comment, or a separator may follow. */
  endOfCommand(ctx: Context): void {
    this.lx.skipBlanks();
    if (!this.lx.atCommandEnd(ctx)) {
      const rest = this.lx.source.slice(this.lx.i).split('\n')[0]!.trim();
      throw this.lx.error(this.lx.i, `unexpected '${rest}' at the end of the command`);
    }
  }

  report(offset: number | Pos, reason: string): void {
    const pos = typeof offset === 'number' ? this.lx.pos(offset) : offset;
    this.errors.push(new ScriptSyntaxError(this.file, pos, reason));
  }

  /** Runs a check of a literal value; its UsageError becomes a syntax error at `pos`. */
  check(pos: Pos, what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      this.report(pos, what ? `${what}: ${err.message}` : err.message);
    }
  }

  textFrom(start: number): string {
    return this.lx.source.slice(start, this.lx.i).split('\n')[0]!.trim();
  }

  /** Every token up to the end of the command. */
  args(ctx: Context): Token[] {
    const out: Token[] = [];
    for (;;) {
      this.lx.skipBlanks();
      if (this.lx.atCommandEnd(ctx)) return out;
      out.push(this.lx.readToken(ctx));
    }
  }

  nextToken(ctx: Context, options: { regex?: boolean } = {}): Token | undefined {
    this.lx.skipBlanks();
    if (this.lx.atCommandEnd(ctx) || this.lx.peek() === '{') return undefined;
    return this.lx.readToken(ctx, options);
  }

  /** The argument text as typed: each token's raw form with the source's own spacing between. */
  rawOf(tokens: Token[], pos: Pos): Template {
    if (tokens.length === 0) return textTemplate('', pos);
    const first = tokens[0]!;
    const last = tokens.at(-1)!;
    const items = tokens.map((t, k) => ({
      t: t.raw,
      sep: k === 0 ? '' : this.lx.source.slice(tokens[k - 1]!.end, t.start),
    }));
    return joinTemplates(items, first.pos, this.lx.source.slice(first.start, last.end));
  }

  /** A message or value: one quoted string as is, or the words with the source's spacing. */
  valueOf(tokens: Token[]): Template {
    const first = tokens[0]!;
    if (tokens.length === 1) return first.value;
    const last = tokens.at(-1)!;
    const items = tokens.map((t, k) => ({
      t: t.value,
      sep: k === 0 ? '' : this.lx.source.slice(tokens[k - 1]!.end, t.start),
    }));
    return joinTemplates(items, first.pos, this.lx.source.slice(first.start, last.end));
  }

  message(ctx: Context): Template | undefined {
    const tokens = this.args(ctx);
    return tokens.length === 0 ? undefined : this.valueOf(tokens);
  }

  oneDuration(ctx: Context, what: string): Template {
    const tok = this.nextToken(ctx);
    if (!tok) throw this.lx.error(this.lx.i, `${what} needs a duration, as in ${what} 500ms or ${what} 2s`);
    return this.duration(tok, what);
  }

  duration(tok: Token, what: string): Template {
    const text = literalText(tok.value);
    if (text !== undefined) this.check(tok.pos, '', () => parseDuration(text, what));
    return tok.value;
  }
}
