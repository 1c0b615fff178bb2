import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJsonEvents } from '../../helpers/json-events.js';
import { lineServer, run, scriptDir } from './helpers.js';

// Scripts live in a temporary directory outside the repository: `import ... from 'sockrepl'` must
// resolve to this package through the runner's alias, not through a node_modules next to them.
const dir = scriptDir();
let server: Awaited<ReturnType<typeof lineServer>>;

beforeAll(async () => {
  server = await lineServer((line) => {
    const m = /^LOGIN (\w+)$/.exec(line);
    if (m) return m[1] === 'alice' ? 'OK 42\r\n' : 'ERR\r\n';
    if (line === 'STATS') return Buffer.from([0x00, 0x02, 0x00, 0x00, 0x00, 0x2a]);
    return undefined;
  });
});
afterAll(async () => {
  await server.close();
  dir.cleanup();
});

describe('sockrepl run script.ts', () => {
  it('runs TypeScript at top level with the package API, no build step (exit 0)', async () => {
    const script = dir.write(
      'login.ts',
      `import { connect, pack, unpack, scriptVars, type ExpectMatch } from 'sockrepl';

interface Login { id: number }

const c = await connect('127.0.0.1', Number(scriptVars().PORT), { nodelay: true, timeout: '5s' });
await c.sendLine('LOGIN alice');
const m: ExpectMatch = await c.expect(/^OK (\\d+)/);
const login: Login = { id: Number(m[1]) };
await c.send(pack('>HI', 2, login.id));
await c.sendLine('');
await c.sendLine('STATS');
await c.recvUntil('\\n');
const [kind, value] = unpack('>HI', await c.recvExactly(6));
console.log(\`id=\${login.id} kind=\${kind} value=\${value} nodelay=\${c.info().options?.nodelay}\`);
await c.close();
`,
    );
    const r = await run([script, '--var', `PORT=${server.port}`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe('id=42 kind=2 value=42 nodelay=true');
  });

  it('calls a default export with the variables', async () => {
    const script = dir.write(
      'default.ts',
      `import { connect } from 'sockrepl';
export default async function ({ vars, file }: { vars: Record<string, string>; file: string }) {
  const c = await connect('127.0.0.1', Number(vars.PORT));
  await c.sendLine(\`LOGIN \${vars.USER}\`);
  console.log(file.endsWith('default.ts'), (await c.recvLine({ keepEnds: false })).toString());
}
`,
    );
    const r = await run([script, '--var', `PORT=${server.port}`, '--var', 'USER=bob']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe('true ERR');
  });

  it('a failed expect is exit 3 with the expect error as one line; open connections are closed', async () => {
    const script = dir.write(
      'fails.ts',
      `import { connect } from 'sockrepl';
const c = await connect('127.0.0.1', ${server.port});
await c.sendLine('LOGIN bob');
await c.expect('OK', { timeout: 300 });
`,
    );
    const r = await run([script]);
    expect(r.code).toBe(3);
    // The timeout's own message (below) shows it fired; how fast is no test's business.
    expect(r.stderr.trim()).toBe(
      `${script}: timed out after 300ms waiting for "OK"; received 5 bytes: "ERR\\r\\n"`,
    );
  });

  it('a failed assertion is exit 3; a refused connection exit 1; a bug exit 1 with its stack', async () => {
    const assertion = dir.write(
      'assert.ts',
      `import assert from 'node:assert/strict';\nassert.equal(1 + 1, 3, 'arithmetic is broken');\n`,
    );
    const a = await run([assertion]);
    expect(a.code).toBe(3);
    expect(a.stderr).toContain(`${assertion}: arithmetic is broken`);

    const refused = dir.write(
      'refused.ts',
      `import { connect } from 'sockrepl';\nawait connect('127.0.0.1', 1);\n`,
    );
    const b = await run([refused]);
    expect(b.code).toBe(1);
    expect(b.stderr.trim()).toBe(
      `${refused}: connect 127.0.0.1:1: ECONNREFUSED: nothing is listening there (the peer answered SYN with RST)`,
    );

    const bug = dir.write('bug.ts', `const o: { a?: { b: number } } = {};\nconsole.log(o.a!.b);\n`);
    const c = await run([bug]);
    expect(c.code).toBe(1);
    expect(c.stderr).toContain('TypeError');
    expect(c.stderr).toContain('bug.ts');
  });

  it('a library usage error is exit 2, naming the option as the script wrote it', async () => {
    const script = dir.write(
      'usage.ts',
      `import { connect } from 'sockrepl';\nawait connect('127.0.0.1', ${server.port}, { sourcePort: 0 });\n`,
    );
    const r = await run([script]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`${script}: sourcePort: 0 is out of range (1..65535)`);
  });

  it('--json reports the end as an event', async () => {
    const script = dir.write(
      'json.ts',
      `import { connect } from 'sockrepl';\nawait connect('127.0.0.1', 1);\n`,
    );
    const r = await run([script, '--json']);
    expect(r.code).toBe(1);
    const events = parseJsonEvents<Record<string, unknown>>(r.out);
    expect(events[0]).toMatchObject({ type: 'error', code: 'ECONNREFUSED', exit: 1 });
    expect(events[1]).toMatchObject({ type: 'done', ok: false, exit: 1 });
  });

  it('refuses connection options, which a TypeScript script passes to connect()', async () => {
    const script = dir.write('opts.ts', 'export {};\n');
    const r = await run([script, '--nodelay']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'sockrepl: connection options (nodelay) apply to .srs scripts; a TypeScript script passes them to connect()',
    );
  });
});
