import { afterAll, describe, expect, it } from 'vitest';
import { start as startBinary } from '../../../examples/binary/server.mjs';
import { start as startGbk } from '../../../examples/gbk/server.mjs';
import { start as startHttp } from '../../../examples/http/server.mjs';
import { start as startLogin } from '../../../examples/login/server.mjs';
import { run } from './helpers.js';

/** Every example script against the tiny server it comes with, as its header says to run it. */
const servers: { close(): Promise<unknown> }[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function serve(start: (port: number) => Promise<{ port: number; close(): Promise<unknown> }>) {
  const s = await start(0);
  servers.push(s);
  return s.port;
}

describe('examples', () => {
  it("login: logs in, and fails with exit 3 and the script's message on a wrong password", async () => {
    const port = await serve(startLogin);
    const ok = await run(['examples/login/login.srs', '--var', `PORT=${port}`]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/\$\{session\}="[0-9a-f]+"/);
    const wrong = await run(['examples/login/login.srs', '--var', `PORT=${port}`, '--var', 'PASSWORD=nope']);
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toContain(': the server refused the password for alice');
  });

  it('login, as a TypeScript script', async () => {
    const port = await serve(startLogin);
    const r = await run(['examples/library/login.ts', '--var', `PORT=${port}`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^logged in as alice, session [0-9a-f]+$/m);
  });

  it('binary: a length-prefixed protocol, three messages in one segment taken one frame each', async () => {
    const port = await serve(startBinary);
    const r = await run(['examples/binary/session.srs', '--var', `PORT=${port}`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.match(/expect frame\s+-> matched 10 bytes 00 00 00 06 84/g)).toHaveLength(3);
  });

  it('gbk: a service speaking GBK', async () => {
    const port = await serve(startGbk);
    const r = await run(['examples/gbk/greet.srs', '--var', `PORT=${port}`, '--var', 'NAME=李四']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('$1="李四"');
  });

  it('http: an HTTP/1.0 request by hand', async () => {
    const port = await serve(startHttp);
    const r = await run(['examples/http/get.srs', '--var', `PORT=${port}`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const missing = await run(['examples/http/get.srs', '--var', `PORT=${port}`, '--var', 'URL_PATH=/nope']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('the server did not say 200 OK');
  });
});
