import { resolveEncoding } from '../codec/text.js';
import { findSocketOption, parseOptionValue } from '../net/socket-options.js';
import { type Arg, type CommandStatement, literalText, type Pos } from './ast.js';
import { findCommandSpec, suggestCommand } from './commands.js';
import { parseHexBytes } from './hex-literal.js';
import type { Context } from './lexer.js';
import type { ParseCursor } from './parse-cursor.js';

/** A REPL command as a script line: checked against the session's command table. */

export function parseReplCommand(
  p: ParseCursor,
  name: string,
  ctx: Context,
  start: number,
  pos: Pos,
): CommandStatement {
  const spec = findCommandSpec(p.commands, name);
  if (!spec) {
    const near = suggestCommand(name, p.commands);
    throw p.lx.error(start, `unknown command '${name}'${near ? ` (did you mean '${near}'?)` : ''}`);
  }
  const tokens = p.args(ctx);
  const args: Arg[] = tokens.map((t) => ({
    kind: t.kind === 'string' ? 'string' : 'word',
    value: t.value,
    pos: t.pos,
  }));
  const raw = p.rawOf(tokens, pos);
  const s: CommandStatement = { type: 'command', name, raw, args, pos, text: p.textFrom(start) };
  const arity = spec.args;
  if (!arity) return s;
  if (args.length < arity.min || (arity.max !== undefined && args.length > arity.max)) {
    p.report(
      pos,
      `${name}: ${args.length < arity.min ? 'missing argument' : 'too many arguments'}; usage: ${spec.usage.replace(/^\//, '')}`,
    );
    return s;
  }
  const first = args[0] && literalText(args[0].value);
  if (arity.choices && first !== undefined && !arity.choices.includes(first)) {
    p.report(args[0]!.pos, `${name}: '${first}' is not one of ${arity.choices.join(', ')}`);
  }
  checkReplArgs(p, name, args);
  return s;
}

/** Checks what can be checked before running: option names, encodings, hex bytes. */
function checkReplArgs(p: ParseCursor, name: string, args: Arg[]): void {
  const lit = args.map((a) => literalText(a.value));
  if (name === 'opt' && lit[0] !== undefined) {
    const optName = lit[0];
    p.check(args[0]!.pos, 'opt', () => {
      const spec = findSocketOption(optName);
      if (lit[1] !== undefined) parseOptionValue(spec, lit[1]);
    });
  } else if (name === 'enc' && lit[0] !== undefined) {
    const enc = lit[0];
    p.check(args[0]!.pos, 'enc', () => resolveEncoding(enc));
  } else if (name === 'hex' && lit.every((t) => t !== undefined)) {
    p.check(args[0]!.pos, 'hex', () => parseHexBytes(lit.join(' ')));
  }
}
