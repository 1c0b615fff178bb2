import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { CliProcess } from '../../helpers/cli.js';
import { tcpServer } from '../../helpers/servers.js';

/**
 * A plugin written where the user works, far from any node_modules: `import ... from 'sockrepl'`
 * resolves to the running sockrepl itself, in TypeScript and in plain ES module JavaScript. The
 * plugin's `/probe` catches a failed expect and asks `instanceof TimeoutError` of the class it
 * imported: true only when it shares the running copy of the package, not a second one.
 */

const cleanups = cleanupAfterEach();
const dir = mkdtempSync(join(tmpdir(), 'sockrepl-outside-plugin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const body = (name: string) => `
export default definePlugin({
  name: '${name}',
  commands: {
    probe${name}: {
      summary: 'a failed expect, and whose TimeoutError it was',
      usage: '/probe${name}',
      async run(_args, ctx) {
        try {
          await ctx.expect(/NEVER/, '20ms');
          return 'matched';
        } catch (err) {
          return 'same TimeoutError: ' + (err instanceof TimeoutError);
        }
      },
    },
  },
});
`;

writeFileSync(
  join(dir, 'typed.ts'),
  `import { definePlugin, TimeoutError } from 'sockrepl';\n${body('typed')}`,
);
writeFileSync(
  join(dir, 'plain.mjs'),
  `import { definePlugin, TimeoutError } from 'sockrepl';\n${body('plain')}`,
);
writeFileSync(join(dir, 'old.js'), `import { definePlugin, TimeoutError } from 'sockrepl';\n${body('old')}`);

describe("a plugin outside the package imports from 'sockrepl'", () => {
  it('loads as .ts, .mjs and .js and shares the running copy of the package', async () => {
    const srv = await tcpServer();
    cleanups.push(() => srv.close());
    const script = join(dir, 'probe.srs');
    writeFileSync(script, `connect 127.0.0.1 ${srv.port}\nprobetyped\nprobeplain\nprobeold\n`);
    const plugins = ['./typed.ts', './plain.mjs', join(dir, 'old.js')].flatMap((p) => ['--plugin', p]);
    const p = new CliProcess(['run', 'probe.srs', ...plugins], {}, dir);
    cleanups.push(() => p.kill());
    const r = await p.exited;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.toString().match(/same TimeoutError: \w+/g)).toEqual([
      'same TimeoutError: true',
      'same TimeoutError: true',
      'same TimeoutError: true',
    ]);
  });
});
