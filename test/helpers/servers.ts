import * as net from 'node:net';

/** A TCP server on loopback for tests; `connections` collects accepted sockets. */
export async function tcpServer(
  onConnection: (socket: net.Socket) => void = () => {},
  host = '127.0.0.1',
): Promise<{ port: number; server: net.Server; connections: net.Socket[]; close(): Promise<void> }> {
  const connections: net.Socket[] = [];
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    connections.push(socket);
    socket.on('error', () => {});
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    server,
    connections,
    close: () =>
      new Promise((resolve) => {
        for (const s of connections) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Collects everything a socket receives until it ends; resolves with the bytes and how it ended. */
export function collect(socket: net.Socket): Promise<{ data: Buffer; error?: NodeJS.ErrnoException }> {
  const parts: Buffer[] = [];
  return new Promise((resolve) => {
    let error: NodeJS.ErrnoException | undefined;
    socket.on('data', (d: Buffer) => parts.push(d));
    socket.on('error', (e) => {
      error = e;
    });
    socket.on('close', () => resolve({ data: Buffer.concat(parts), error }));
    socket.on('end', () => resolve({ data: Buffer.concat(parts), error }));
  });
}

/** A client connection on loopback, resolved once connected. */
export function connectTo(port: number, host = '127.0.0.1'): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host, allowHalfOpen: true }, () => resolve(s));
    s.once('error', reject);
  });
}

/** A free TCP port on loopback (bound then released). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, host, resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}
