// A tiny service that speaks GBK (as many legacy Chinese services do), for examples/gbk/greet.srs.
//   node examples/gbk/server.mjs [port]      (default 9002)
//   <- 欢迎光临！请输入您的名字：\r\n            (in GBK)
//   -> <name>\r\n                               (in GBK)
//   <- 你好，<name>！您是第<n>位访客。\r\n      (in GBK), then the server closes
import * as net from 'node:net';
import { pathToFileURL } from 'node:url';
import iconv from 'iconv-lite';

export function start(port = 9002, host = '127.0.0.1') {
  let visitors = 0;
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.write(iconv.encode('欢迎光临！请输入您的名字：\r\n', 'gbk'));
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      const nl = pending.indexOf(0x0a);
      if (nl < 0) return;
      // Decode the whole line at once: a GBK character's two bytes may arrive apart.
      const name = iconv.decode(pending.subarray(0, nl), 'gbk').replace(/\r$/, '');
      socket.end(iconv.encode(`你好，${name}！您是第${++visitors}位访客。\r\n`, 'gbk'));
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
  const { port } = await start(Number(process.argv[2] ?? 9002));
  console.log(`GBK service listening on 127.0.0.1:${port}`);
}
