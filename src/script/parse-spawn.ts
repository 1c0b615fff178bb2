import { parsePtySize } from '../options/program-rows.js';
import { literalText, type Pos, type SpawnStatement } from './ast.js';
import type { Context } from './lexer.js';
import type { ParseCursor } from './parse-cursor.js';
import { dropPrefix } from './template-parts.js';

const USAGE = 'spawn [pty] [pty-size=120x40] [stderr=mark|merge] <program> [args...]';
const STDERR = ['mark', 'merge'];

/**
 * `spawn [pty] [pty-size=COLSxROWS] [stderr=mark|merge] "cmd" args...` (the options also as
 * `--pty`, `--pty-size=...`): a local program as the script's connection, the way `connect`
 * opens a socket. Options come before the program; every word from the program on is its own.
 */
export function parseSpawn(p: ParseCursor, ctx: Context, start: number, pos: Pos): SpawnStatement {
  const s: SpawnStatement = { type: 'spawn', argv: [], pty: false, pos, text: '' };
  for (const t of p.args(ctx)) {
    const text = literalText(t.value);
    const word =
      s.argv.length === 0 && text !== undefined ? /^(?:--)?(pty|pty-size|stderr)(=|$)/.exec(text) : null;
    if (!word) {
      s.argv.push(t.value);
      continue;
    }
    const [, name, eq] = word;
    if (name === 'pty' && eq === '') {
      s.pty = true;
      continue;
    }
    if (eq === '') {
      p.report(
        t.pos,
        `spawn: '${name}' needs a value, as in ${name === 'stderr' ? 'stderr=merge' : 'pty-size=120x40'}`,
      );
      continue;
    }
    const value = dropPrefix(t.value, word[0].length);
    const literal = literalText(value);
    if (name === 'pty-size') {
      s.ptySize = value;
      if (literal !== undefined) p.check(t.pos, 'spawn', () => parsePtySize(literal, 'pty-size'));
    } else if (name === 'stderr') {
      s.stderr = value;
      if (literal !== undefined && !STDERR.includes(literal))
        p.report(t.pos, `spawn: stderr '${literal}' is not mark or merge`);
    } else {
      p.report(t.pos, `spawn: 'pty' takes no value; write pty, or pty-size=120x40`);
    }
  }
  s.text = p.textFrom(start);
  if (s.argv.length === 0) throw p.lx.error(start, `spawn: which program? usage: ${USAGE}`);
  if (s.ptySize && !s.pty) p.report(pos, 'spawn: pty-size needs pty too');
  if (s.pty && s.stderr) p.report(pos, 'spawn: a terminal has one output stream (pty merges stderr)');
  return s;
}
