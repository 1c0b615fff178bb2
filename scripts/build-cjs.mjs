// The CommonJS face of the library (`require('sockrepl')`, jest's default module system, which
// cannot load ES modules from node_modules): src/index.ts bundled into dist/cjs/index.js (its source
// map points at the shipped src/),
// with the ES-module-only dependencies inlined and the CommonJS ones left as require() calls.
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

/** Defined in the bundle's banner, outside every module, so no module's own `require` shadows it. */
const ESM_URL = '__sockreplEsmUrl';
const BANNER = `const ${ESM_URL} = (p) => require('node:url').pathToFileURL(require('node:path').join(__dirname, p)).href;`;

function packageOf(id) {
  const parts = id.split('/');
  return id.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

rmSync(out, { recursive: true, force: true });
await build({
  input: join(src, 'index.ts'),
  platform: 'node',
  resolve: { extensionAlias: { '.js': ['.ts', '.tsx', '.js'] } },
  logLevel: 'warn',
  external: (id) => {
    if (id.startsWith('node:')) return true;
    if (id.startsWith('.') || id.startsWith('/')) return false;
    const name = packageOf(id);
    return DEPENDENCIES.has(name) && !INLINE.has(name);
  },
  plugins: [
    {
      // A module that finds a file beside itself (a worker, a native library) must still find it
      // from the bundle: import.meta.url becomes the URL of its ES module twin in dist/src.
      name: 'import-meta-url-of-the-esm-twin',
      transform(code, id) {
        if (!id.startsWith(src)) return null;
        const s = new MagicString(code);
        const twin = relative(out, join(esm, relative(src, id))).replace(/\.tsx?$/, '.js');
        s.replaceAll('import.meta.url', `${ESM_URL}(${JSON.stringify(twin.split(sep).join('/'))})`);
        // A package loaded on demand (the certificate maker) is required: jest's CommonJS
        // runtime cannot run import().
        s.replaceAll(/\bawait import\((['"])([^'".][^'"]*)\1\)/g, 'require($1$2$1)');
        if (!s.hasChanged()) return null;
        return { code: s.toString(), map: s.generateMap({ hires: true, source: id }) };
      },
    },
  ],
  output: {
    file: join(out, 'index.js'),
    banner: BANNER,
    format: 'cjs',
    sourcemap: true,
    exports: 'named',
    // One file: the lazily loaded parts (STARTTLS, certificates) are inlined, not split off.
    codeSplitting: false,
  },
});

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
