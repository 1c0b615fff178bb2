// npm's `prepare`: builds dist/ in a checkout of the repository (a fresh clone has none, and the
// README's first command is `npm install && npx sockrepl ...`). Installed from the registry or a
// tarball, the package already holds dist/ and has no tsconfig: nothing to do. `npm pack` and
// `npm publish` build through `prepack`, so building here too would only do it twice.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const checkout = existsSync(new URL('../tsconfig.build.json', import.meta.url));
const packing = ['pack', 'publish'].includes(process.env.npm_command ?? '');
if (checkout && !packing) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['run', 'build'], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
