// A tiny line-protocol login service, for examples/login/login.srs.
//   node examples/login/server.mjs [port]      (default 9000)
// Protocol (lines end in \r\n):
//   <- 220 login service ready
//   -> USER <name>      <- 331 password required
//   -> PASS <password>  <- 230 welcome <name>, session <hex>   or   530 login incorrect
//   -> WHOAMI           <- 200 <name>                          or   530 not logged in
//   -> QUIT             <- 221 bye, and the server closes the connection
import * as net from 'node:net';
import { pathToFileURL } from 'node:url';

const PASSWORDS = { alice: 'secret', bob: 'hunter2' };

export function start(port = 9000, host = '127.0.0.1') {
  let sessions = 0;
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    let user;
    let loggedIn = false;
    let buffered = '';
    socket.write('220 login service ready\r\n');
    socket.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const line = buffered.slice(0, nl).replace(/\r$/, '');
        buffered = buffered.slice(nl + 1);
        const [verb, ...rest] = line.split(' ');
        const arg = rest.join(' ');
        if (verb === 'USER') {
          user = arg;
          loggedIn = false;
          socket.write('331 password required\r\n');
        } else if (verb === 'PASS') {
          loggedIn = user !== undefined && PASSWORDS[user] === arg;
          if (!loggedIn) socket.write('530 login incorrect\r\n');
          else socket.write(`230 welcome ${user}, session ${(++sessions * 0x1f3a).toString(16)}\r\n`);
        } else if (verb === 'WHOAMI') {
          socket.write(loggedIn ? `200 ${user}\r\n` : '530 not logged in\r\n');
        } else if (verb === 'QUIT') {
          socket.end('221 bye\r\n');
        } else {
          socket.write(`500 unknown command ${JSON.stringify(verb)}\r\n`);
        }
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () =>
      resolve({ port: server.address().port, close: () => new Promise((done) => server.close(done)) }),
    );
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { port } = await start(Number(process.argv[2] ?? 9000));
  console.log(`login service listening on 127.0.0.1:${port}`);
}
