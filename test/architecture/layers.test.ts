import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The house rules of ../shared/ARCHITECTURE.md, checked over the import graph of src/ and plugins/:
 * a room imports only from rooms on lower layers, no file or folder cycle, the built-in plugins use
 * only the plugin API, the library entry and the pipe path never load the CLI or the screen, and no
 * file grows past 400 lines without saying why at its top.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Lowest first; a room may import only from rooms on earlier lines (and from itself). */
const LAYERS: readonly (readonly string[])[] = [
  ['errors', 'version', 'best-effort'],
  ['codec'],
  ['net', 'plugin'],
  ['options', 'tube', 'fault', 'plugins'],
  ['session', 'pipe', 'proxy'],
  ['ui', 'json', 'record', 'capture'],
  ['modes'],
  ['script'],
  ['cli', 'index'],
];
const LAYER = new Map(LAYERS.flatMap((rooms, i) => rooms.map((r) => [r, i] as const)));

/** What the built-in plugins may import: the plugin API and the pure layers under it. */
const PLUGIN_API = new Set(['plugin', 'errors', 'codec', 'plugins']);

const MAX_LINES = 400;

interface SourceFile {
  path: string;
  room: string;
  lines: number;
  text: string;
  /** Relative imports, resolved to repository paths, with whether each is dynamic or type-only. */
  imports: { to: string; dynamic: boolean; typeOnly: boolean }[];
  /** Package imports (`commander`, `ink`). */
  packages: string[];
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(join(ROOT, dir))) {
    const p = join(dir, name);
    if (statSync(join(ROOT, p)).isDirectory()) walk(p, out);
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function roomOf(path: string): string {
  if (path.startsWith('plugins/')) return 'plugins';
  const m = /^src\/([^/]+)(\/|\.tsx?$)/.exec(path);
  if (!m) throw new Error(`not in a room: ${path}`);
  return m[1]!.replace(/\.tsx?$/, '');
}

const IMPORT =
  /(^|\n)\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function load(): Map<string, SourceFile> {
  const files = new Map<string, SourceFile>();
  for (const path of [...walk('src'), ...walk('plugins')]) {
    const text = readFileSync(join(ROOT, path), 'utf8');
    const imports: SourceFile['imports'] = [];
    const packages: string[] = [];
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[4] ?? m[5]!;
      if (!spec.startsWith('.')) {
        packages.push(spec);
        continue;
      }
      const target = relative(ROOT, resolve(ROOT, dirname(path), spec)).replace(/\.jsx?$/, '');
      const to = [`${target}.ts`, `${target}.tsx`].find((c) => {
        try {
          return statSync(join(ROOT, c)).isFile();
        } catch {
          return false;
        }
      });
      if (!to) throw new Error(`${path}: cannot resolve ${spec}`);
      imports.push({ to, dynamic: m[5] !== undefined, typeOnly: m[3] !== undefined });
    }
    files.set(path, { path, room: roomOf(path), lines: text.split('\n').length, text, imports, packages });
  }
  return files;
}

const files = load();

describe('the house (ARCHITECTURE.md)', () => {
  it('every room is on a layer', () => {
    const unknown = [...new Set([...files.values()].map((f) => f.room))].filter((r) => !LAYER.has(r));
    expect(unknown).toEqual([]);
  });

  it('rooms import only from lower layers', () => {
    const wrong: string[] = [];
    for (const f of files.values()) {
      for (const i of f.imports) {
        const to = files.get(i.to)!;
        if (to.room === f.room) continue;
        if (LAYER.get(to.room)! >= LAYER.get(f.room)!) wrong.push(`${f.path} -> ${i.to}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('built-in plugins use only the plugin API', () => {
    const wrong = [...files.values()]
      .filter((f) => f.room === 'plugins')
      .flatMap((f) =>
        f.imports.filter((i) => !PLUGIN_API.has(files.get(i.to)!.room)).map((i) => `${f.path} -> ${i.to}`),
      );
    expect(wrong).toEqual([]);
  });

  it('only modes/ loads the built-in plugins', () => {
    const wrong = [...files.values()]
      .filter((f) => f.room !== 'plugins' && f.room !== 'modes')
      .flatMap((f) =>
        f.imports.filter((i) => files.get(i.to)!.room === 'plugins').map((i) => `${f.path} -> ${i.to}`),
      );
    expect(wrong).toEqual([]);
  });

  it('no file imports itself back through others', () => {
    // Tarjan's strongly connected components over every import, type-only ones included.
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    let n = 0;
    const visit = (v: string) => {
      index.set(v, n);
      low.set(v, n);
      n++;
      stack.push(v);
      onStack.add(v);
      for (const { to } of files.get(v)!.imports) {
        if (!index.has(to)) {
          visit(to);
          low.set(v, Math.min(low.get(v)!, low.get(to)!));
        } else if (onStack.has(to)) low.set(v, Math.min(low.get(v)!, index.get(to)!));
      }
      if (low.get(v) === index.get(v)) {
        const scc: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          scc.push(w);
        } while (w !== v);
        if (scc.length > 1) cycles.push(scc.sort());
      }
    };
    for (const f of files.keys()) if (!index.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });

  /** Every file a module loads before running, following static imports (not type-only ones). */
  function staticClosure(start: string): { files: Set<string>; packages: Set<string> } {
    const seen = new Set<string>();
    const packages = new Set<string>();
    const todo = [start];
    while (todo.length) {
      const f = files.get(todo.pop()!)!;
      if (seen.has(f.path)) continue;
      seen.add(f.path);
      for (const p of f.packages)
        packages.add(
          p.split('/')[0]!.startsWith('@') ? p.split('/').slice(0, 2).join('/') : p.split('/')[0]!,
        );
      for (const i of f.imports) if (!i.dynamic && !i.typeOnly) todo.push(i.to);
    }
    return { files: seen, packages };
  }

  it('the library entry loads neither commander nor ink, React or the screen', () => {
    const { files: loaded, packages } = staticClosure('src/index.ts');
    expect([...packages].filter((p) => ['commander', 'ink', 'react'].includes(p))).toEqual([]);
    expect([...loaded].filter((p) => p.startsWith('src/cli/') || p.startsWith('src/ui/'))).toEqual([]);
  });

  it('the pipe path loads no screen code', () => {
    for (const entry of [
      'src/modes/pipe-connect.ts',
      'src/modes/pipe-listen.ts',
      'src/modes/pipe-proxy.ts',
    ]) {
      const { files: loaded, packages } = staticClosure(entry);
      expect(
        [...packages].filter((p) => ['ink', 'react'].includes(p)),
        entry,
      ).toEqual([]);
      expect(
        [...loaded].filter((p) => p.startsWith('src/ui/')),
        entry,
      ).toEqual([]);
    }
  });

  it(`no file is longer than ${MAX_LINES} lines unless its top says why`, () => {
    const long = [...files.values()]
      .filter(
        (f) =>
          f.lines > MAX_LINES &&
          !/^\s*(\/\/|\*).*\blonger than \d+ lines\b/im.test(f.text.split('\n').slice(0, 15).join('\n')),
      )
      .map((f) => `${f.path} (${f.lines} lines)`);
    expect(long).toEqual([]);
  });
});
