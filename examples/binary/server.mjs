// A tiny length-prefixed binary protocol, for examples/binary/session.srs.
//   node examples/binary/server.mjs [port]      (default 9001)
// Every message, both ways, is a 4-byte big-endian length and then that many bytes: an opcode
// byte and its fields (big-endian).
//   -> 0x01 HELLO  name (the rest)        <- 0x81 version:u16 (=2) session:u32 (1, 2, ...)
//   -> 0x02 ADD    a:i32 b:i32            <- 0x82 sum:i64
//   -> 0x03 STATS                         <- three 0x84 messages in ONE write: counter:u8 value:u32
//   -> 0x04 BYE                           <- 0x85, and the server closes the connection
import * as net from 'node:net';
import { pathToFileURL } from 'node:url';

function message(opcode, fields = Buffer.alloc(0)) {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(1 + fields.length, 0);
  head.writeUInt8(opcode, 4);
  return Buffer.concat([head, fields]);
}

export function start(port = 9001, host = '127.0.0.1') {
  let sessions = 0;
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    let pending = Buffer.alloc(0);
    let requests = 0;
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readUInt32BE(0)) {
        const body = pending.subarray(4, 4 + pending.readUInt32BE(0));
        pending = pending.subarray(4 + body.length);
        requests++;
        const opcode = body[0];
        if (opcode === 0x01) {
          const fields = Buffer.alloc(6);
          fields.writeUInt16BE(2, 0);
          fields.writeUInt32BE(++sessions, 2);
          socket.write(message(0x81, fields));
        } else if (opcode === 0x02 && body.length === 9) {
          const sum = Buffer.alloc(8);
          sum.writeBigInt64BE(BigInt(body.readInt32BE(1)) + BigInt(body.readInt32BE(5)));
          socket.write(message(0x82, sum));
        } else if (opcode === 0x03) {
          // Three messages in one write: the reader has to cut them apart (TCP's "sticky packets").
          const stats = [requests, pending.length, sessions].map((value, i) => {
            const f = Buffer.alloc(5);
            f.writeUInt8(i + 1, 0);
            f.writeUInt32BE(value, 1);
            return message(0x84, f);
          });
          socket.write(Buffer.concat(stats));
        } else if (opcode === 0x04) {
          socket.end(message(0x85));
        } else {
          socket.write(message(0xff, Buffer.from(`bad request ${opcode}`)));
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
  const { port } = await start(Number(process.argv[2] ?? 9001));
  console.log(`binary service listening on 127.0.0.1:${port}`);
}
