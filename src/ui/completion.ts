import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SOCKET_OPTIONS } from '../net/socket-options.js';
import type { CommandSpec } from '../session/command-spec.js';

/**
 * Tab completion, pure apart from listing a directory for file arguments: commands, socket
 * option names and values, encodings, connection ids, fixed words, paths.
 */

export interface CompletionContext {
  /** The interpreter's commands: built-in, registered and the plugins'. */
  commands: readonly CommandSpec[];
  conns: readonly number[];
  encodings: readonly string[];
  framers?: readonly string[];
  /** Lists a directory for path completion; injectable for tests. */
  listDir?: (dir: string) => { name: string; dir: boolean }[];
}

export interface Completion {
  /** The new input line (unchanged when there is nothing to add). */
  input: string;
  /** All candidates when more than one fits (to show), else empty. */
  candidates: string[];
}

const COMMON_ENCODINGS = [
  'utf8',
  'latin1',
  'ascii',
  'gbk',
  'gb18030',
  'big5',
  'shift_jis',
  'euc-jp',
  'euc-kr',
  'utf16le',
  'utf16be',
  'cp1252',
  'koi8-r',
];

export function complete(input: string, ctx: CompletionContext): Completion {
  if (!input.startsWith('/')) return { input, candidates: [] };
  const space = input.indexOf(' ');
  if (space < 0) {
    const names = ctx.commands.map((c) => `/${c.name}`);
    return finish(input, '', input, names, ' ');
  }
  const name = input.slice(1, space).toLowerCase();
  const spec = ctx.commands.find((c) => c.name === name || c.aliases?.includes(name));
  if (!spec) return { input, candidates: [] };
  const rest = input.slice(space + 1);
  const words = rest.split(/\s+/);
  const head = input.slice(0, input.length - words[words.length - 1]!.length);
  const word = words[words.length - 1]!;
  if (words.length === 1) {
    switch (spec.arg) {
      case 'option':
        return finish(
          input,
          head,
          word,
          SOCKET_OPTIONS.map((o) => o.aliases[0]!),
          ' ',
        );
      case 'encoding': {
        const all = [...new Set([...COMMON_ENCODINGS, ...ctx.encodings])];
        return finish(input, head, word, word === '' ? COMMON_ENCODINGS : all, '');
      }
      case 'conn':
        return finish(input, head, word, [...ctx.conns.map(String), 'all'], '');
      case 'word':
        if (spec.name === 'help')
          return finish(
            input,
            head,
            word,
            ctx.commands.map((c) => c.name),
            '',
          );
        if (spec.name === 'frame')
          return finish(input, head, word, [...(spec.words ?? []), ...(ctx.framers ?? [])], '');
        return finish(input, head, word, spec.words ?? [], '');
      case 'file':
        return completePath(input, head, word, ctx);
      default:
        return { input, candidates: [] };
    }
  }
  if (spec.arg === 'option' && words.length === 2) {
    const opt = SOCKET_OPTIONS.find((o) =>
      o.aliases.some((a) => a.toLowerCase() === words[0]!.toLowerCase()),
    );
    if (opt?.kind === 'bool') return finish(input, head, word, ['on', 'off'], '');
  }
  if (spec.name === 'save' && words.length === 2) return finish(input, head, word, ['in', 'out'], '');
  return { input, candidates: [] };
}

function finish(
  input: string,
  head: string,
  word: string,
  options: readonly string[],
  suffix: string,
): Completion {
  const lower = word.toLowerCase();
  const hits = options.filter((o) => o.toLowerCase().startsWith(lower));
  if (hits.length === 0) return { input, candidates: [] };
  if (hits.length === 1) return { input: head + hits[0]! + suffix, candidates: [] };
  const prefix = commonPrefix(hits);
  const grown = prefix.length > word.length ? head + prefix : input;
  return { input: grown, candidates: hits };
}

function completePath(input: string, head: string, word: string, ctx: CompletionContext): Completion {
  const list = ctx.listDir ?? defaultListDir;
  const slash = word.lastIndexOf('/');
  const dirPart = slash >= 0 ? word.slice(0, slash + 1) : '';
  const dir =
    dirPart === ''
      ? '.'
      : dirPart.startsWith('~/')
        ? join(process.env.HOME ?? '~', dirPart.slice(2))
        : dirPart;
  let entries: { name: string; dir: boolean }[];
  try {
    entries = list(dir);
  } catch {
    return { input, candidates: [] };
  }
  const base = word.slice(slash + 1);
  const hits = entries.filter(
    (e) => e.name.startsWith(base) && (base.startsWith('.') || !e.name.startsWith('.')),
  );
  if (hits.length === 0) return { input, candidates: [] };
  if (hits.length === 1) {
    const e = hits[0]!;
    return { input: `${head}${dirPart}${e.name}${e.dir ? '/' : ' '}`, candidates: [] };
  }
  const prefix = commonPrefix(hits.map((h) => h.name));
  return {
    input: prefix.length > base.length ? `${head}${dirPart}${prefix}` : input,
    candidates: hits.map((h) => h.name + (h.dir ? '/' : '')),
  };
}

function defaultListDir(dir: string): { name: string; dir: boolean }[] {
  return readdirSync(dir).map((name) => {
    let isDir = false;
    try {
      isDir = statSync(join(dir, name)).isDirectory();
    } catch {
      // A dangling link is offered as a file.
    }
    return { name, dir: isDir };
  });
}

function commonPrefix(words: readonly string[]): string {
  if (words.length === 0) return '';
  let p = words[0]!;
  for (const w of words) {
    let i = 0;
    while (i < p.length && i < w.length && p[i]!.toLowerCase() === w[i]!.toLowerCase()) i++;
    p = p.slice(0, i);
  }
  return p;
}
