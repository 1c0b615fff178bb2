import * as net from 'node:net';

/**
 * The "system under test" of examples/library/kv.test.ts: a small key-value server over TCP.
 * Text commands, one per line: `SET key value` → `OK`, `GET key` → `VALUE value` or `NOT_FOUND`,
 * `DEL key` → `DELETED n`; `BIN key` answers with a binary record: u16 length of the value, the
 * value, and a u32 CRC-like checksum (the sum of the bytes), all big-endian.
 */
export async function startKvServer(): Promise<{ port: number; close(): Promise<void> }> {
  const data = new Map<string, string>();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let pending = '';
    socket.on('data', (chunk) => {
      pending += chunk.toString('utf8');
      for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
        const [cmd = '', key = '', ...rest] = pending.slice(0, nl).trim().split(' ');
        pending = pending.slice(nl + 1);
        if (cmd === 'SET') {
          data.set(key, rest.join(' '));
          socket.write('OK\n');
        } else if (cmd === 'GET') {
          const v = data.get(key);
          socket.write(v === undefined ? 'NOT_FOUND\n' : `VALUE ${v}\n`);
        } else if (cmd === 'DEL') {
          socket.write(`DELETED ${data.delete(key) ? 1 : 0}\n`);
        } else if (cmd === 'BIN') {
          const value = Buffer.from(data.get(key) ?? '');
          const record = Buffer.alloc(2 + value.length + 4);
          record.writeUInt16BE(value.length, 0);
          value.copy(record, 2);
          record.writeUInt32BE(
            value.reduce((a, b) => a + b, 0),
            2 + value.length,
          );
          // Sent in two writes a moment apart, as a real server might: the client must not care.
          socket.write(record.subarray(0, 3));
          setTimeout(() => socket.write(record.subarray(3)), 5);
        } else {
          socket.write(`ERROR unknown command ${cmd}\n`);
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
