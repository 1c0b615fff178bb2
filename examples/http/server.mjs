// A tiny HTTP server on loopback, for examples/http/get.srs.
//   node examples/http/server.mjs [port]      (default 9003)
//   GET /hello  -> 200, text/plain "Hello from the tiny server\n"
//   anything else -> 404
import * as http from 'node:http';
import { pathToFileURL } from 'node:url';

export function start(port = 9003, host = '127.0.0.1') {
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/hello') {
      const body = 'Hello from the tiny server\n';
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () =>
      resolve({
        port: server.address().port,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(done);
          }),
      }),
    );
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { port } = await start(Number(process.argv[2] ?? 9003));
  console.log(`HTTP server listening on 127.0.0.1:${port}`);
}
