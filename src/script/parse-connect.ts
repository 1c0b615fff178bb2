import { parsePort } from '../codec/units.js';
import { UsageError } from '../errors.js';
import type { LineKind as ConnKind } from '../options/option-table.js';
import { checkOptionWord, lookupOptionWord, resolveOptionWords } from '../options/option-words.js';
import {
  type ConnectStatement,
  type ListenStatement,
  literalText,
  type OptionWord,
  type Pos,
  type Template,
} from './ast.js';
import type { Context, Token } from './lexer.js';
import type { ParseCursor } from './parse-cursor.js';
import { dropPrefix } from './template-parts.js';

/**
 * `connect host port [options]` and `listen [host] port [options]`: option words from the option
 * table. A unix socket needs no host or port: `connect unix=/run/x.sock`, `listen unix=@name`, as
 * `sockrepl -U PATH` takes none on the command line.
 */

export function parseConnectOrListen(
  p: ParseCursor,
  kind: ConnKind,
  ctx: Context,
  start: number,
  pos: Pos,
): ConnectStatement | ListenStatement {
  const tokens = p.args(ctx);
  const positional: Token[] = [];
  const options: OptionWord[] = [];
  for (const t of tokens) {
    const word = t.kind === 'word' ? optionName(t.value) : undefined;
    const looksLikeOption =
      word !== undefined && (word.hasValue || lookupOptionWord(word.name) !== undefined);
    // connect takes host and port first unless the line starts with unix=; listen's host is
    // optional, so an option word ends it.
    const endsAddress = kind === 'connect' ? positional.length === 0 && isUnixWord(word) : looksLikeOption;
    if (options.length === 0 && positional.length < 2 && !endsAddress) {
      positional.push(t);
      continue;
    }
    if (!word) {
      p.report(t.pos, `${kind}: '${t.value.source}' is not an option (write name or name=value)`);
      continue;
    }
    let canonical: string;
    try {
      canonical = checkOptionWord(word.name, word.hasValue, kind).name;
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      p.report(t.pos, err.message);
      continue;
    }
    const o: OptionWord = { name: canonical, pos: t.pos };
    if (word.value) o.value = word.value;
    options.push(o);
  }
  const usage =
    kind === 'connect'
      ? 'connect <host> <port> [options], or connect unix=<path> [options]'
      : 'listen [host] <port> [options], or listen unix=<path> [options]';
  const unix = positional.length === 0 && options.some((o) => o.name === 'unix');
  if (unix) return { type: kind, options, pos, text: p.textFrom(start) };
  if (positional.length < (kind === 'connect' ? 2 : 1)) {
    throw p.lx.error(
      start,
      `${kind}: missing ${positional.length === 0 ? 'address' : 'port'}; usage: ${usage}`,
    );
  }
  const portTok = positional.at(-1)!;
  const hostTok = positional.length === 2 ? positional[0] : undefined;
  const portText = literalText(portTok.value);
  if (portText !== undefined) {
    p.check(portTok.pos, kind, () => {
      const port = parsePort(portText, 'port');
      if (kind === 'connect' && port === 0) throw new UsageError('port 0 cannot be connected to');
    });
  }
  checkOptionValues(p, kind, options, pos);
  const text = p.textFrom(start);
  if (kind === 'connect')
    return { type: 'connect', host: hostTok!.value, port: portTok.value, options, pos, text };
  const s: ListenStatement = { type: 'listen', port: portTok.value, options, pos, text };
  if (hostTok) s.host = hostTok.value;
  return s;
}

/** `unix=...` (or `U=...`): a line that names a unix socket instead of host and port. */
function isUnixWord(word: { name: string; hasValue: boolean } | undefined): boolean {
  return word?.hasValue === true && lookupOptionWord(word.name)?.name === 'unix';
}

/** Literal option values are checked now, by the CLI's own resolver (one by one, then together). */
function checkOptionValues(p: ParseCursor, kind: ConnKind, options: OptionWord[], pos: Pos): void {
  const literal: { name: string; value?: string }[] = [];
  for (const o of options) {
    const value = o.value === undefined ? undefined : literalText(o.value);
    if (o.value !== undefined && value === undefined) return;
    const word = value === undefined ? { name: o.name } : { name: o.name, value };
    try {
      resolveOptionWords([word], kind);
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      p.report(o.pos, err.message);
      return;
    }
    literal.push(word);
  }
  p.check(pos, kind, () => resolveOptionWords(literal, kind));
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
