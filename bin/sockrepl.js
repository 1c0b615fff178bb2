#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (shipped in the package; in a checkout of the
// repository `npm install` builds it through `prepare`, or `npm run build`).
import { existsSync } from 'node:fs';

const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write(
    'sockrepl: dist/ is missing (a checkout that was not built): run `npm install` or `npm run build` in the repository\n',
  );
  process.exit(1);
}
const { run } = await import(main.href);
run(process.argv.slice(2));
