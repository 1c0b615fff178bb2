#!/usr/bin/env node
'use strict';
// Thin launcher. CommonJS (bin/package.json says so): it and the command line's bundle in
// dist/cjs load without Node's ES module loader, and from a V8 code cache (compile-cache.js).
// dist/ is shipped in the package; in a checkout of the repository `npm install` builds it
// through `prepare`, or `npm run build`.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const dist = join(__dirname, '..', 'dist', 'cjs');
const cli = join(dist, 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write(
    'sockrepl: dist/ is missing (a checkout that was not built): run `npm install` or `npm run build` in the repository\n',
  );
  process.exit(1);
}
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  // Answered here, as commander would, without loading the command tree and its options.
  process.stdout.write(`${require('../package.json').version}\n`);
} else {
  require(join(dist, 'compile-cache.js')).enableCompileCache(dist);
  require(cli).run(argv);
}
