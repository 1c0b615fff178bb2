import * as net from 'node:net';
import type { Channel } from '../../src/net/channel.js';
import { connectTcp } from '../../src/net/tcp-connect.js';

/** A TCP channel to a loopback port through the product's own transport. */
export function connectChannel(port: number, host = '127.0.0.1'): Promise<Channel> {
  return connectTcp(host, port, { socket: {} });
}

export interface TestServer {
  port: number;
  /** Server-side sockets, in accept order. */
  accepted: net.Socket[];
  /** Resolves with the next accepted socket. */
  nextClient(): Promise<net.Socket>;
  close(): Promise<void>;
}

/** A loopback TCP server whose accepted sockets the test drives by hand. */
export async function testServer(host = '127.0.0.1'): Promise<TestServer> {
  const accepted: net.Socket[] = [];
  const waiting: ((s: net.Socket) => void)[] = [];
  const server = net.createServer({ noDelay: true, allowHalfOpen: true }, (s) => {
    s.on('error', () => {});
    accepted.push(s);
    const w = waiting.shift();
    if (w) w(s);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as net.AddressInfo).port;
  let taken = 0;
  return {
    port,
    accepted,
    nextClient: () => {
      const s = accepted[taken];
      if (s) {
        taken++;
        return Promise.resolve(s);
      }
      return new Promise((resolve) => {
        waiting.push((sock) => {
          taken++;
          resolve(sock);
        });
      });
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of accepted) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Writes `data` from the server side either at once or one byte per write with a pause between,
 * so each byte reaches the client in its own read. Bounded: at most `data.length` writes.
 */
export async function writeChunked(
  socket: net.Socket,
  data: Uint8Array,
  mode: 'whole' | 'bytewise',
  gapMs = 2,
): Promise<void> {
  if (mode === 'whole') {
    socket.write(data);
    return;
  }
  for (let i = 0; i < data.length; i++) {
    socket.write(data.subarray(i, i + 1));
    await new Promise((r) => setTimeout(r, gapMs));
  }
}
