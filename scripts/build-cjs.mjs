// The CommonJS build in dist/cjs, one code-split bundle with three entries:
// - index.js: the library for require('sockrepl') (jest's default module system, which cannot load
//   ES modules from node_modules);
// - cli.js: the command line that bin/sockrepl.js runs. One bundle starts far faster than Node's
//   ES module loader walking ~90 files, and CommonJS is what a V8 code cache can serve on Node 20
//   (see compile-cache.js);
// - compile-cache.js: that cache, loaded by the launcher before the command line.
// Sharing chunks, a plugin or script that imports 'sockrepl' from the command line gets the same
// classes as the command line itself. Parts loaded on demand (STARTTLS, certificates, the screen)
// are chunks of their own, required when first used.
// ES-module-only dependencies are inlined, CommonJS ones left as require() calls, and ink (ES
// module with top-level await, which require() cannot load) is taken with import() before the
// screen's chunks run: see screen-packages.ts.
// Types: a copy of dist/src's declarations under dist/cjs, where a package.json says "commonjs",
// so TypeScript's node16/nodenext resolution sees CommonJS declarations for a CommonJS importer.
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import MagicString from 'magic-string';
import { build } from 'rolldown';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
const esm = join(root, 'dist/src');
const out = join(root, 'dist/cjs');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** Dependencies shipped only as ES modules: inlined, since require() cannot load them under jest. */
const INLINE = new Set(['get-east-asian-width']);
const DEPENDENCIES = new Set([
  ...Object.keys(pkg.dependencies ?? {}),
  ...Object.keys(pkg.optionalDependencies ?? {}),
  ...Object.keys(pkg.peerDependencies ?? {}),
]);

/** What ink exports, so the stand-in offers each name the screen may import. */
const INK_NAMES = Object.keys(await import('ink')).filter((n) => n !== 'default');

/** Defined in the bundle's banner, outside every module, so no module's own `require` shadows it. */
const ESM_URL = '__sockreplEsmUrl';
const BANNER = `const ${ESM_URL} = (p) => require('node:url').pathToFileURL(require('node:path').join(__dirname, p)).href;`;

/**
 * First line of a chunk that runs import() (the one that loads ink): compile-cache.ts compiles it
 * without the cache, since code from a cache cannot run import() on Node 20.
 */
const NO_CODE_CACHE = '// sockrepl: runs import(), so compiled without the code cache';

/** Whether a chunk still has an import() once built: a package it does not require() instead. */
function callsImport(chunk) {
  return chunk.dynamicImports.some((id) => id.startsWith('node:') || DEPENDENCIES.has(packageOf(id)));
}

function packageOf(id) {
  const parts = id.split('/');
  return id.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * ink's stand-in inside the bundle: the namespace screen-packages.ts's loadInk() took with
 * import() and left under this symbol. Only the screen's chunks read it, and those are required
 * after loadInk() resolved.
 */
const INK_STAND_IN = '\0sockrepl:ink';
const INK_KEY = 'sockrepl.ink';

/**
 * Rewrites `from` to `to` in `s` (over `code`, its original), exactly once, or fails the build:
 * the source moved. Returns the range rewritten, for later rewrites to leave alone.
 */
function rewriteOnce(s, code, id, from, to) {
  const at = code.indexOf(from);
  if (at < 0 || code.indexOf(from, at + 1) >= 0)
    throw new Error(`build-cjs: expected one ${from} in ${relative(root, id)}`);
  s.overwrite(at, at + from.length, to);
  return [at, at + from.length];
}

/** Replaces each match of `pattern` in `code` outside `skip` (a range already rewritten). */
function replaceOutside(s, code, pattern, to, skip) {
  for (const m of code.matchAll(pattern)) {
    if (skip && m.index >= skip[0] && m.index < skip[1]) continue;
    const replacement = typeof to === 'function' ? to(...m) : to;
    if (replacement !== m[0]) s.overwrite(m.index, m.index + m[0].length, replacement);
  }
}

rmSync(out, { recursive: true, force: true });
await build({
  input: {
    index: join(src, 'index.ts'),
    cli: join(src, 'cli/main.ts'),
    'compile-cache': join(src, 'cli/compile-cache.ts'),
  },
  platform: 'node',
  resolve: { extensionAlias: { '.js': ['.ts', '.tsx', '.js'] } },
  logLevel: 'warn',
  external: (id) => {
    if (id.startsWith('node:')) return true;
    // ink is decided by the plugin below, which sees whether an import is static or dynamic.
    if (id.startsWith('.') || id.startsWith('/') || id.startsWith('\0') || id === 'ink') return false;
    const name = packageOf(id);
    // commander is inlined too: only cli.js uses it, and one file fewer to find at each start.
    return DEPENDENCIES.has(name) && !INLINE.has(name) && name !== 'commander';
  },
  plugins: [
    {
      name: 'ink-taken-by-import',
      resolveId(id, importer, extra) {
        if (id !== 'ink' || !importer?.startsWith(src)) return null;
        // The one import() of ink (loadInk) stays a real one; static imports read what it took.
        return extra?.kind === 'dynamic-import' ? { id: 'ink', external: true } : INK_STAND_IN;
      },
      load(id) {
        if (id !== INK_STAND_IN) return null;
        return `const ink = globalThis[Symbol.for(${JSON.stringify(INK_KEY)})];
if (ink === undefined) throw new Error('sockrepl: the screen was loaded before ink (loadInk)');
export const { ${INK_NAMES.join(', ')} } = ink;
`;
      },
    },
    {
      // A module that finds a file beside itself (a worker, a native library) must still find it
      // from the bundle: import.meta.url becomes the URL of its ES module twin in dist/src.
      name: 'import-meta-url-of-the-esm-twin',
      transform(code, id) {
        if (!id.startsWith(src)) return null;
        const s = new MagicString(code);
        let skip;
        if (id === join(src, 'plugin/user-module.ts')) {
          // A user's plugin or script imports 'sockrepl' as this bundle's own library entry, so
          // it shares the command line's classes (instanceof TimeoutError) and symbols.
          skip = rewriteOnce(
            s,
            code,
            id,
            "new URL('../index.js', import.meta.url)",
            "require('node:url').pathToFileURL(require('node:path').join(__dirname, 'index.js'))",
          );
        }
        const twin = relative(out, join(esm, relative(src, id))).replace(/\.tsx?$/, '.js');
        replaceOutside(
          s,
          code,
          /import\.meta\.url/g,
          `${ESM_URL}(${JSON.stringify(twin.split(sep).join('/'))})`,
          skip,
        );
        // A package loaded on demand (the certificate maker) is required: jest's CommonJS
        // runtime cannot run import(). ink is the exception (see above).
        replaceOutside(s, code, /\bawait import\((['"])([^'".][^'"]*)\1\)/g, (whole, q, name) =>
          name === 'ink' ? whole : `require(${q}${name}${q})`,
        );
        if (!s.hasChanged()) return null;
        return { code: s.toString(), map: s.generateMap({ hires: true, source: id }) };
      },
    },
  ],
  output: {
    dir: out,
    entryFileNames: '[name].js',
    // Beside the entries, so __dirname is the same in every chunk (see ESM_URL).
    chunkFileNames: '[name]-[hash].js',
    banner: (chunk) => (callsImport(chunk) ? `${NO_CODE_CACHE}\n${BANNER}` : BANNER),
    format: 'cjs',
    sourcemap: true,
    exports: 'named',
  },
});

// Source maps: src/ is shipped, so a map need not carry a copy of each source file (1.5 MB); it
// keeps the text only of what is not shipped (the inlined commander, get-east-asian-width).
for (const name of readdirSync(out).filter((n) => n.endsWith('.js.map'))) {
  const file = join(out, name);
  const map = JSON.parse(readFileSync(file, 'utf8'));
  map.sourcesContent = map.sources.map((source, i) =>
    join(out, source).startsWith(src + sep) ? null : map.sourcesContent[i],
  );
  writeFileSync(file, JSON.stringify(map));
}

// Declarations: the same files, read as CommonJS because of the package.json beside them.
function copyDeclarations(dir) {
  for (const name of readdirSync(dir)) {
    const from = join(dir, name);
    if (statSync(from).isDirectory()) copyDeclarations(from);
    else if (name.endsWith('.d.ts')) {
      const to = join(out, relative(esm, from));
      mkdirSync(dirname(to), { recursive: true });
      // The declaration maps point at ../../src relative to dist/src; one level deeper here.
      cpSync(from, to);
    }
  }
}
copyDeclarations(esm);
writeFileSync(join(out, 'package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
