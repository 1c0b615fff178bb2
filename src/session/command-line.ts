import { UsageError } from '../errors.js';

/**
 * Reading one typed line. A line starting with `/` is a command (`/name rest...`); `//text`
 * sends `/text`; anything else is text to send. The rest stays raw: each command reads it its
 * own way (/send keeps spaces, /pack splits words, /expect knows quotes and regexes).
 */
export type ParsedLine =
  | { kind: 'empty' }
  | { kind: 'text'; text: string }
  | { kind: 'command'; name: string; rest: string };

export function parseLine(line: string): ParsedLine {
  const l = line.replace(/\r?\n$/, '');
  if (l.startsWith('//')) return { kind: 'text', text: l.slice(1) };
  if (!l.startsWith('/')) return l === '' ? { kind: 'empty' } : { kind: 'text', text: l };
  const m = /^\/(\S*)\s?(.*)$/s.exec(l)!;
  if (m[1] === '') throw new UsageError('a command name must follow / (try /help)');
  return { kind: 'command', name: m[1]!.toLowerCase(), rest: m[2]! };
}

/**
 * Splits words like a shell: whitespace separates, "double" and 'single' quotes group (quotes
 * removed; backslashes inside double quotes are kept for the command to interpret).
 */
export function splitWords(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'") {
      const end = findClosingQuote(text, i);
      if (end < 0) throw new UsageError(`unclosed ${c === '"' ? 'double' : 'single'} quote in: ${text}`);
      cur += text.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

function findClosingQuote(text: string, open: number): number {
  const q = text[open];
  for (let j = open + 1; j < text.length; j++) {
    if (q === '"' && text[j] === '\\') {
      j++;
      continue;
    }
    if (text[j] === q) return j;
  }
  return -1;
}
