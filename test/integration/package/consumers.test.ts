import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeConsumer, packOnce, removeConsumer, runIn } from '../../helpers/packed-consumer.js';
import { EXPECTED, roundTrip } from './roundtrip-snippet.js';

/**
 * sockrepl as its users install it: `npm pack`, then a project outside this repository that
 * uses it from an ES module, from CommonJS (plain Node and jest's default setup, which cannot load
 * ES modules from node_modules), and from TypeScript under each moduleResolution people use.
 */

const consumers: string[] = [];
// Each consumer holds an unpacked copy of the package (1,700 files): slow to delete on a busy disk.
afterAll(async () => {
  await Promise.all(consumers.map((d) => removeConsumer(d)));
}, 120_000);

async function consumer(...args: Parameters<typeof makeConsumer>): Promise<string> {
  const dir = await makeConsumer(...args);
  consumers.push(dir);
  return dir;
}

beforeAll(async () => {
  await packOnce();
}, 120_000);

describe('the packed package, used', () => {
  it('from an ES module', async () => {
    const dir = await consumer({ packageJson: { type: 'module' } });
    writeFileSync(
      join(dir, 'main.js'),
      `${roundTrip(
        "import { connect, listen, pack, unpack, TimeoutError } from 'sockrepl';",
        "import.meta.resolve('sockrepl')",
      )}\nconsole.log(JSON.stringify(await main()));\n`,
    );
    const r = await runIn(dir, process.execPath, ['main.js']);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject(EXPECTED);
    expect(out.where).toMatch(/node_modules\/sockrepl\/dist\/src\/index\.js$/);
    // The --json event schema is an export of its own, for import and require alike.
    const schema = await runIn(dir, process.execPath, [
      '-e',
      "const p = require.resolve('sockrepl/events.schema.json'); console.log(require(p).$defs.v.const)",
    ]);
    expect(schema.stdout.trim()).toBe('1');
  });

  it('without the optional screen packages (ink, React): the library works, the screen says why not', async () => {
    const dir = await consumer({ packageJson: { type: 'module' }, omit: ['ink', 'react'] });
    writeFileSync(
      join(dir, 'main.js'),
      `${roundTrip(
        "import { connect, listen, pack, unpack, TimeoutError } from 'sockrepl';",
        "import.meta.resolve('sockrepl')",
      )}\nconsole.log(JSON.stringify(await main()));\n`,
    );
    const lib = await runIn(dir, process.execPath, ['main.js']);
    expect(lib.stderr).toBe('');
    expect(JSON.parse(lib.stdout)).toMatchObject(EXPECTED);
    const screen = await runIn(dir, process.execPath, [
      'node_modules/sockrepl/bin/sockrepl.js',
      '--tui',
      '127.0.0.1',
      '9',
    ]);
    expect(screen.code).toBe(2);
    expect(screen.stderr).toMatch(
      /^sockrepl: the interactive screen needs ink and react, .*npm install ink react/,
    );
    expect(screen.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('from CommonJS with require()', async () => {
    const dir = await consumer({ packageJson: { type: 'commonjs' } });
    writeFileSync(
      join(dir, 'main.js'),
      `${roundTrip(
        "const { connect, listen, pack, unpack, TimeoutError } = require('sockrepl');",
        "require.resolve('sockrepl')",
      )}\nmain().then((r) => console.log(JSON.stringify(r)));\n`,
    );
    const r = await runIn(dir, process.execPath, ['main.js']);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject(EXPECTED);
    // The CommonJS build, not Node's require(esm) of the ES build (which jest cannot do).
    expect(out.where).toMatch(/node_modules\/sockrepl\/dist\/cjs\/index\.js$/);
  });

  it("from jest's default setup", async () => {
    const dir = await consumer({ tools: ['jest'] });
    writeFileSync(
      join(dir, 'sockrepl.test.js'),
      `${roundTrip(
        "const { connect, listen, pack, unpack, TimeoutError } = require('sockrepl');",
        "require.resolve('sockrepl')",
      )}
test('a round trip on loopback', async () => {
  expect(await main()).toMatchObject(${JSON.stringify(EXPECTED)});
});
`,
    );
    const r = await runIn(dir, process.execPath, [
      join(dir, 'node_modules/jest/bin/jest.js'),
      '--ci',
      '--colors=false',
      '--watchman=false',
    ]);
    expect(r.stderr, r.stdout).toMatch(/Tests:\s+1 passed, 1 total/);
    expect(r.code).toBe(0);
  }, 120_000);

  it('from TypeScript with moduleResolution node16, nodenext and bundler', async () => {
    const dir = await consumer({ packageJson: { type: 'module' }, tools: ['typescript', '@types/node'] });
    // Types, not just names: a wrong call must fail to compile in every style.
    const body = `
export async function use(): Promise<Tube> {
  const t: Tube = await connect('127.0.0.1', 9, { timeout: '1s', nodelay: true });
  const line: Buffer = await t.recvLine({ keepEnds: false });
  const n: number = unpack('>H', line)[0] as number;
  if (n < 0) throw new TimeoutError({ expected: 'x', received: line, elapsedMs: 0, timeoutMs: 1 });
  // @ts-expect-error recvLine takes options, not a number
  await t.recvLine(5);
  return t;
}
`;
    const imports = "import { connect, type Tube, TimeoutError, unpack } from 'sockrepl';";
    writeFileSync(join(dir, 'esm.mts'), `${imports}\n${body}`);
    writeFileSync(join(dir, 'cjs.cts'), `${imports}\n${body}`);
    writeFileSync(join(dir, 'bundled.ts'), `${imports}\n${body}`);
    // The shipped declarations are checked once, in the strictest place for them (CommonJS under
    // node16); checking @types/node three times over would only make the test slow.
    const base = { strict: true, noEmit: true, skipLibCheck: true, types: ['node'] };
    const configs: Record<string, unknown> = {
      node16: {
        compilerOptions: { ...base, skipLibCheck: false, module: 'node16', moduleResolution: 'node16' },
        files: ['esm.mts', 'cjs.cts'],
      },
      nodenext: {
        compilerOptions: { ...base, module: 'nodenext', moduleResolution: 'nodenext' },
        files: ['esm.mts', 'cjs.cts'],
      },
      bundler: {
        compilerOptions: { ...base, module: 'esnext', moduleResolution: 'bundler' },
        files: ['bundled.ts'],
      },
    };
    const tsc = join(dir, 'node_modules/typescript/bin/tsc');
    const results = await Promise.all(
      Object.entries(configs).map(async ([name, config]) => {
        writeFileSync(join(dir, `tsconfig.${name}.json`), JSON.stringify(config));
        const r = await runIn(dir, process.execPath, [tsc, '-p', `tsconfig.${name}.json`]);
        return { name, code: r.code, out: r.stdout + r.stderr };
      }),
    );
    expect(results).toEqual(Object.keys(configs).map((name) => ({ name, code: 0, out: '' })));
  }, 120_000);
});
