// Kept apart from spec.ts so that /fault's word splitting loads no codec (spec.ts reaches the
// escape grammar and iconv-lite, which `--version` and pipe mode must not load).

/**
 * Splits at separators not escaped by a backslash; escapes stay in the pieces for the value parsers.
 * A value that starts with a quote or a slash right after `=` (or `hex:"`) runs to its closing
 * quote or slash, separators and all: `when=/a,b/`, `when=hex:"00 05"`.
 */
export function splitUnescaped(text: string, sep: string | RegExp): string[] {
  const pieces: string[] = [];
  let start = 0;
  const isSep = (ch: string) => (typeof sep === 'string' ? ch === sep : sep.test(ch));
  for (let i = 0; i < text.length; i++) {
    const closing = atomicEnd(text, i);
    if (closing > i) i = closing;
    else if (text[i] === '\\') i++;
    else if (isSep(text[i]!)) {
      pieces.push(text.slice(start, i));
      start = i + 1;
    }
  }
  pieces.push(text.slice(start));
  return pieces;
}

/**
 * Where a quoted or slashed value that starts at `i` ends (the index of its closing character), or
 * -1: it must start right after `=`, or be a quote right after `=hex:`, and have a closing mark not
 * escaped by a backslash.
 */
function atomicEnd(text: string, i: number): number {
  const ch = text[i];
  if (ch !== '"' && ch !== '/') return -1;
  const afterEq = text[i - 1] === '=';
  const afterHex = ch === '"' && /=hex:$/i.test(text.slice(Math.max(0, i - 5), i));
  if (!afterEq && !afterHex) return -1;
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === ch) return j;
  }
  return -1;
}
