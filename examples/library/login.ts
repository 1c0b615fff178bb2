/**
 * examples/login/login.srs as a TypeScript script: the same steps through the library API, with
 * the control flow a .srs script does not have.
 *
 *   node examples/login/server.mjs 9000 &
 *   sockrepl run examples/library/login.ts --var PORT=9000
 */
import { connect, scriptVars } from 'sockrepl';

const vars = scriptVars();
const user = vars.LOGIN ?? 'alice';
const c = await connect(vars.HOST ?? '127.0.0.1', Number(vars.PORT ?? 9000), {
  nodelay: true,
  timeout: '5s',
  eol: 'crlf',
});

await c.expect(/^220 .*\r\n/);
// Try the passwords we know until one works.
let session: string | undefined;
for (const password of (vars.PASSWORDS ?? 'hunter2,secret').split(',')) {
  await c.sendLine(`USER ${user}`);
  await c.expect('331 password required\r\n');
  await c.sendLine(`PASS ${password}`);
  const m = await c.expectAny([/^230 welcome \w+, session (?<id>[0-9a-f]+)\r\n/, /^530 .*\r\n/]);
  if (m.which === 0) {
    session = m.groups?.id;
    break;
  }
}
if (!session) throw new Error(`no password worked for ${user}`);
console.log(`logged in as ${user}, session ${session}`);

await c.sendLine('QUIT');
await c.expect('221 bye\r\n');
await c.expect('eof');
