import { compileRegex } from '../codec/regex-literal.js';
import { type ExpectStatement, literalText, type Pattern, type Pos, type Template } from './ast.js';
import { parseHexBytes } from './hex-literal.js';
import type { Context, Token } from './lexer.js';
import type { ParseCursor } from './parse-cursor.js';
import { dropPrefix, textTemplate } from './template-parts.js';

/** `expect pattern [timeout] [or fail "message"]` and the patterns expect-any branches share. */

export function parseExpect(p: ParseCursor, ctx: Context, start: number, pos: Pos): ExpectStatement {
  const tok = p.nextToken(ctx, { regex: true });
  if (!tok) {
    throw p.lx.error(p.lx.i, 'expect needs a pattern: "text", /regex/, hex:"de ad", eof or frame');
  }
  const pattern = parsePattern(p, tok, false);
  const s: ExpectStatement = { type: 'expect', pattern, pos, text: '' };
  parseTimeoutAndFail(p, ctx, s);
  s.text = p.textFrom(start);
  return s;
}

/** `[timeout] [or fail "message"]` after a pattern or an expect-any block. */
export function parseTimeoutAndFail(
  p: ParseCursor,
  ctx: Context,
  s: { timeout?: Template; failMessage?: Template },
): void {
  let tok = p.nextToken(ctx);
  if (tok && !(tok.kind === 'word' && literalText(tok.value) === 'or')) {
    if (s.timeout) throw p.lx.error(tok.start, 'the timeout is given twice');
    s.timeout = p.duration(tok, 'timeout');
    tok = p.nextToken(ctx);
  }
  if (!tok) return;
  if (!(tok.kind === 'word' && literalText(tok.value) === 'or')) {
    throw p.lx.error(tok.start, `unexpected '${tok.value.source}': expected 'or fail "message"'`);
  }
  const fail = p.nextToken(ctx);
  if (!fail || literalText(fail.value) !== 'fail')
    throw p.lx.error(fail?.start ?? p.lx.i, "expected 'fail' after 'or'");
  s.failMessage = p.message(ctx) ?? textTemplate('', fail.pos);
}

export function parsePattern(p: ParseCursor, tok: Token, inBranch: boolean): Pattern {
  const pos = tok.pos;
  if (tok.kind === 'regex') {
    const flags = tok.flags ?? '';
    const src = literalText(tok.value);
    if (src !== undefined) p.check(pos, 'bad regex', () => compileRegex(src, flags));
    return { kind: 'regex', source: tok.value, flags, pos };
  }
  if (tok.kind === 'string') {
    if (tok.value.parts.length === 0) p.report(pos, 'an empty pattern matches nothing useful');
    return { kind: 'text', value: tok.value, pos };
  }
  const word = literalText(tok.value);
  if (word === 'eof' || word === 'frame') return { kind: word, pos };
  if (word === 'timeout') {
    if (!inBranch) throw p.lx.error(tok.start, "'timeout' is a pattern only inside expect-any");
    return { kind: 'timeout', pos };
  }
  const first = tok.value.parts[0];
  if (first?.kind === 'text' && first.text.startsWith('hex:')) {
    const value = dropPrefix(tok.value, 4);
    const hex = literalText(value);
    if (hex !== undefined) p.check(value.pos, 'hex', () => parseHexBytes(hex));
    return { kind: 'hex', value, pos };
  }
  return { kind: 'text', value: tok.value, pos };
}
