/**
 * Where a run of plain characters inside a quoted string (or a `${NAME:-fallback}`) starting at
 * `from` stops: at an escape, a `$`, the end of the line, a `}` (which may end a fallback) or the
 * closing quote. The lexer takes the run as one slice, so a 5 MB `send` line costs linear time and
 * one copy rather than a step and a string per character.
 */
export function plainRunEnd(source: string, from: number, close: string): number {
  let j = from + 1;
  while (j < source.length) {
    const c = source[j];
    if (c === '\\' || c === '$' || c === '\n' || c === '}' || c === close) break;
    j++;
  }
  return j;
}
