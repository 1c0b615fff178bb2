#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (shipped in the package; in a checkout of the
// repository `npm install` builds it through `prepare`, or `npm run build`).
import { existsSync } from 'node:fs';

const dist = new URL('../dist/src/', import.meta.url);
const main = new URL('cli/main.js', dist);
if (!existsSync(main)) {
  process.stderr.write(
    'sockrepl: dist/ is missing (a checkout that was not built): run `npm install` or `npm run build` in the repository\n',
  );
  process.exit(1);
}
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  // Answered here, as commander would, without loading the command tree and its options.
  const { VERSION } = await import(new URL('version.js', dist).href);
  process.stdout.write(`${VERSION}\n`);
} else {
  const { run } = await import(main.href);
  run(argv);
}
