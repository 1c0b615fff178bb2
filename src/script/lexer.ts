// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is the script language's own variable syntax.
import { type Escape, EscapeError, readEscape } from '../codec/escapes.js';
import { regexFlagsProblem } from '../codec/regex-literal.js';
import type { Pos, Template, VarRef } from './ast.js';
import { plainRunEnd } from './plain-run.js';
import { ScriptSyntaxError } from './script-errors.js';
import { PartsBuilder } from './template-parts.js';

/**
 * The script scanner. Tokens depend on where they appear (a `/` starts a regex only where a pattern
 * is expected; `/tmp/x` is a path elsewhere), so the parser asks for the token it wants next
 * instead of consuming a token stream.
 *
 * Rules, shell-like:
 * - `#` starts a comment where a token could start; `a#b` and `"a # b"` keep their `#`.
 * - `"..."` decodes escapes and expands variables; `'...'` is literal. A quote opens a string at
 *   the start of a token or right after `:` or `=` (`hex:"de ad"`, `delim="; "`).
 * - Inside `{ }` blocks, `;` also ends a command and an unbalanced `}` closes the block.
 * - `$NAME`, `${NAME}`, `${NAME:-default}`, `$1`, `${10}`; `$$` is a literal `$`. In a regex only
 *   `${...}` is a variable, since `$` is an anchor there.
 */

export type Context = 'top' | 'block';

/**
 * How deep blocks, expect-any branches and `${NAME:-...}` fallbacks may nest. Far beyond any
 * script a person writes, and well inside the stack the recursive parser and runner need.
 */
export const MAX_NESTING = 100;

export interface Token {
  kind: 'word' | 'string' | 'regex';
  /** Quotes removed, escapes decoded (for a regex: its source, escapes untouched). */
  value: Template;
  /** As typed (quotes and escapes kept), variables still to expand. */
  raw: Template;
  flags?: string;
  pos: Pos;
  start: number;
  end: number;
}

type Mode = 'bare' | 'dq' | 'sq' | 'regex';

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

export class Lexer {
  readonly source: string;
  readonly file: string;
  i = 0;
  /** `${...:-` fallbacks open around the current position. */
  private refDepth = 0;
  private readonly lineStarts: number[] = [0];

  constructor(source: string, file: string) {
    this.source = source;
    this.file = file;
    for (let k = 0; k < source.length; k++) if (source.charCodeAt(k) === 10) this.lineStarts.push(k + 1);
  }

  pos(offset = this.i): Pos {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - this.lineStarts[lo]! + 1, offset };
  }

  error(offset: number, reason: string): ScriptSyntaxError {
    return new ScriptSyntaxError(this.file, this.pos(offset), reason);
  }

  peek(k = 0): string | undefined {
    return this.source[this.i + k];
  }

  eof(): boolean {
    return this.i >= this.source.length;
  }

  /** Skips spaces, tabs and carriage returns, never a newline. */
  skipBlanks(): void {
    for (;;) {
      const c = this.source[this.i];
      if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') this.i++;
      else return;
    }
  }

  /** After skipBlanks: true at the end of the current command (line end, comment, `;` or `}` in a block). */
  atCommandEnd(ctx: Context): boolean {
    const c = this.source[this.i];
    if (c === undefined || c === '\n' || c === '#') return true;
    return ctx === 'block' && (c === ';' || c === '}');
  }

  /** Skips blank lines, comments and (in blocks) `;` until the next command or block end. */
  skipSeparators(ctx: Context): void {
    for (;;) {
      this.skipBlanks();
      const c = this.source[this.i];
      if (c === '#') this.skipComment();
      else if (c === '\n' || (ctx === 'block' && c === ';')) this.i++;
      else return;
    }
  }

  skipComment(): void {
    while (this.i < this.source.length && this.source[this.i] !== '\n') this.i++;
  }

  /** Error recovery: jumps to where the next command can start. */
  skipToCommandEnd(ctx: Context): void {
    while (this.i < this.source.length) {
      const c = this.source[this.i];
      if (c === '\n' || (ctx === 'block' && (c === ';' || c === '}'))) return;
      this.i++;
    }
  }

  /** The command word: letters, digits and `-`, optionally after a `/`; stops before `{`. */
  readCommandWord(ctx: Context): { word: string; start: number } {
    const start = this.i;
    if (this.source[this.i] === '/') this.i++;
    while (this.i < this.source.length) {
      const c = this.source[this.i]!;
      if (/\s/.test(c) || c === '{' || (ctx === 'block' && (c === ';' || c === '}'))) break;
      this.i++;
    }
    return { word: this.source.slice(start, this.i), start };
  }

  /**
   * Reads one argument token. With `regex`, a token starting with `/` is a regex literal.
   * Throws ScriptSyntaxError for an unterminated string or regex, a bad escape or variable.
   */
  readToken(ctx: Context, options: { regex?: boolean } = {}): Token {
    const start = this.i;
    const pos = this.pos(start);
    const c = this.source[start];
    const value = new PartsBuilder();
    const raw = new PartsBuilder();
    let kind: Token['kind'] = 'word';
    let flags: string | undefined;
    if (c === '"' || c === "'") {
      kind = 'string';
      this.readQuoted(value, raw);
      this.expectBoundary(ctx, 'closing quote');
    } else if (options.regex && c === '/') {
      kind = 'regex';
      this.i++;
      this.readUntilClose('regex', value, raw, start);
      const fstart = this.i;
      while (/[a-z]/i.test(this.source[this.i] ?? '')) this.i++;
      flags = this.source.slice(fstart, this.i);
      const problem = regexFlagsProblem(flags);
      if (problem) throw this.error(fstart, problem);
      this.expectBoundary(ctx, 'regex');
    } else {
      this.readBare(ctx, value, raw);
    }
    const end = this.i;
    const text = this.source.slice(start, end);
    const token: Token = {
      kind,
      value: value.build(pos, text, kind === 'regex'),
      raw: raw.build(pos, text),
      pos,
      start,
      end,
    };
    if (flags !== undefined) token.flags = flags;
    return token;
  }

  /** True when `->` follows (after blanks). Consumes it. */
  readArrow(): boolean {
    this.skipBlanks();
    if (this.source.startsWith('->', this.i)) {
      this.i += 2;
      return true;
    }
    return false;
  }

  private expectBoundary(ctx: Context, after: string): void {
    const c = this.source[this.i];
    if (c === undefined || /\s/.test(c) || this.source.startsWith('->', this.i)) return;
    if (ctx === 'block' && (c === ';' || c === '}')) return;
    throw this.error(this.i, `unexpected '${c}' after the ${after}; separate arguments with a space`);
  }

  private readBare(ctx: Context, value: PartsBuilder, raw: PartsBuilder): void {
    let braces = 0;
    while (this.i < this.source.length) {
      const c = this.source[this.i]!;
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') break;
      if (ctx === 'block') {
        if (c === ';') break;
        if (c === '}') {
          if (braces === 0) break;
          braces--;
        } else if (c === '{') braces++;
      }
      const prev = this.source[this.i - 1];
      if ((c === '"' || c === "'") && (prev === ':' || prev === '=')) {
        this.readQuoted(value, raw);
        continue;
      }
      if (c === '$') {
        this.readDollar('bare', value, raw);
        continue;
      }
      value.text(c);
      raw.text(c);
      this.i++;
    }
  }

  /** At an opening quote: reads the string, decoded into `value`, as typed into `raw`. */
  private readQuoted(value: PartsBuilder, raw: PartsBuilder): void {
    const start = this.i;
    const quote = this.source[this.i]!;
    this.i++;
    raw.text(quote);
    this.readUntilClose(quote === '"' ? 'dq' : 'sq', value, raw, start);
    raw.text(quote);
  }

  /**
   * Reads a string or regex body up to its closing delimiter (consumed). `stopAtBrace` reads a
   * `${NAME:-default}` fallback instead, up to the `}` that closes it (not consumed).
   */
  private readUntilClose(
    mode: Exclude<Mode, 'bare'>,
    value: PartsBuilder,
    raw: PartsBuilder,
    openedAt: number,
    stopAtBrace = false,
  ): void {
    const close = mode === 'dq' ? '"' : mode === 'sq' ? "'" : '/';
    let inClass = false;
    for (;;) {
      const c = this.source[this.i];
      if (c === undefined || c === '\n') {
        const what = stopAtBrace ? "'${'" : mode === 'regex' ? 'regex' : 'string';
        throw this.error(openedAt, `unterminated ${what} (it must end on the same line)`);
      }
      if (stopAtBrace && c === '}') return;
      if (!stopAtBrace && c === close && !inClass) {
        this.i++;
        return;
      }
      if (mode === 'sq') {
        value.text(c);
        raw.text(c);
        this.i++;
      } else if (mode === 'dq' && c === '\\') {
        this.readEscape(value, raw);
      } else if (mode === 'regex' && c === '\\') {
        const next = this.source[this.i + 1];
        if (next === undefined || next === '\n') throw this.error(openedAt, 'unterminated regex');
        value.text(c + next);
        raw.text(c + next);
        this.i += 2;
      } else if (c === '$') {
        this.readDollar(mode, value, raw);
      } else if (mode === 'regex') {
        if (c === '[') inClass = true;
        else if (c === ']') inClass = false;
        value.text(c);
        raw.text(c);
        this.i++;
      } else {
        // A run of plain characters is taken as one slice: linear in the length of the line.
        const end = plainRunEnd(this.source, this.i, close);
        const run = this.source.slice(this.i, end);
        value.text(run);
        raw.text(run);
        this.i = end;
      }
    }
  }

  /** At a backslash inside "...": the one escape grammar (codec/escapes.ts), script dialect. */
  private readEscape(value: PartsBuilder, raw: PartsBuilder): void {
    const start = this.i;
    const e = this.source[this.i + 1];
    if (e === undefined || e === '\n')
      throw this.error(start, 'unterminated string (it must end on the same line)');
    let read: Escape;
    try {
      read = readEscape(this.source, start, 'script');
    } catch (err) {
      if (err instanceof EscapeError) throw this.error(start, err.reason);
      throw err;
    }
    if (read.byte !== undefined) value.bytes(read.byte);
    else value.text(read.text);
    // `\$` is the script's own escape; the interpreter downstream sees a plain `$`.
    raw.text(e === '$' ? '$' : this.source.slice(start, read.end));
    this.i = read.end;
  }

  /** At a `$`: a variable reference, `$$`, or a plain `$`. */
  private readDollar(mode: Exclude<Mode, 'sq'>, value: PartsBuilder, raw: PartsBuilder): void {
    const start = this.i;
    const next = this.source[this.i + 1];
    if (next === '{') {
      const ref = this.readBracedRef(mode, start);
      value.variable(ref);
      raw.variable(ref);
      return;
    }
    if (mode !== 'regex') {
      if (next === '$') {
        value.text('$');
        raw.text('$');
        this.i += 2;
        return;
      }
      if (next !== undefined && /[0-9]/.test(next)) {
        this.i += 2;
        const ref: VarRef = { name: next, pos: this.pos(start), source: `$${next}` };
        value.variable(ref);
        raw.variable(ref);
        return;
      }
      if (next !== undefined && NAME_START.test(next)) {
        let j = this.i + 2;
        while (j < this.source.length && NAME_CHAR.test(this.source[j]!)) j++;
        const name = this.source.slice(this.i + 1, j);
        this.i = j;
        const ref: VarRef = { name, pos: this.pos(start), source: `$${name}` };
        value.variable(ref);
        raw.variable(ref);
        return;
      }
    }
    value.text('$');
    raw.text('$');
    this.i++;
  }

  private readBracedRef(mode: Exclude<Mode, 'sq'>, start: number): VarRef {
    if (this.refDepth >= MAX_NESTING) throw this.error(start, `'\${' nested more than ${MAX_NESTING} deep`);
    this.refDepth++;
    try {
      return this.readBracedRefBody(mode, start);
    } finally {
      this.refDepth--;
    }
  }

  private readBracedRefBody(mode: Exclude<Mode, 'sq'>, start: number): VarRef {
    this.i += 2;
    const nameStart = this.i;
    while (this.i < this.source.length && /[A-Za-z0-9_]/.test(this.source[this.i]!)) this.i++;
    const name = this.source.slice(nameStart, this.i);
    if (!/^(?:[A-Za-z_][A-Za-z0-9_]*|[0-9]+)$/.test(name)) {
      throw this.error(start, 'bad variable reference: use ${NAME}, ${NAME:-default} or ${1}');
    }
    const ref: VarRef = { name, pos: this.pos(start), source: '' };
    if (this.source.startsWith(':-', this.i)) {
      this.i += 2;
      const fbStart = this.i;
      const fb = new PartsBuilder();
      const ignoredRaw = new PartsBuilder();
      if (mode === 'bare') this.readBareFallback(fb, start);
      else this.readUntilClose(mode, fb, ignoredRaw, start, true);
      ref.fallback = fb.build(this.pos(fbStart), this.source.slice(fbStart, this.i), mode === 'regex');
    }
    if (this.source[this.i] !== '}') throw this.error(start, "unterminated '${': expected '}'");
    this.i++;
    ref.source = this.source.slice(start, this.i);
    return ref;
  }

  /** A fallback inside a bare word may hold spaces: `${GREETING:-hello world}`. */
  private readBareFallback(fb: PartsBuilder, openedAt: number): void {
    for (;;) {
      const c = this.source[this.i];
      if (c === undefined || c === '\n') throw this.error(openedAt, "unterminated '${': expected '}'");
      if (c === '}') return;
      if (c === '$') {
        this.readDollar('bare', fb, new PartsBuilder());
        continue;
      }
      fb.text(c);
      this.i++;
    }
  }
}
