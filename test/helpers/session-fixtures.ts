import * as net from 'node:net';
import type { ConnectionOptions } from '../../src/options/connection-options.js';

/** Waits on a condition (polling), as the other tests do. */
export { until } from './peers.js';

/** Defaults of every CLI option, as resolveConnectionOptions gives them with nothing typed. */
export function defaultOptions(patch: Partial<ConnectionOptions> = {}): ConnectionOptions {
  return {
    udp: false,
    socket: {},
    halfClose: false,
    sendOnly: false,
    recvOnly: false,
    keepOpen: false,
    broker: false,
    encoding: 'utf8',
    endian: 'be',
    eol: 'lf',
    frame: [],
    fault: [],
    plugin: [],
    json: false,
    verbose: false,
    ...patch,
  };
}

/** A loopback TCP server that records what each client sends and lets the test answer. */
export interface TestServer {
  port: number;
  sockets: net.Socket[];
  received: Buffer[];
  nextSocket(): Promise<net.Socket>;
  /** Resolves once the bytes received so far (all clients) contain `text`. */
  waitFor(text: string | Buffer, timeoutMs?: number): Promise<Buffer>;
  close(): Promise<void>;
}

export async function startServer(host = '127.0.0.1'): Promise<TestServer> {
  const sockets: net.Socket[] = [];
  const received: Buffer[] = [];
  const waiters: (() => void)[] = [];
  const socketWaiters: ((s: net.Socket) => void)[] = [];
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    sockets.push(s);
    s.on('data', (d) => {
      received.push(d);
      for (const w of waiters.splice(0)) w();
    });
    s.on('error', () => undefined);
    socketWaiters.shift()?.(s);
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    sockets,
    received,
    nextSocket: () =>
      new Promise((resolve) => {
        const have = sockets[sockets.length - 1];
        if (
          have &&
          socketWaiters.length === 0 &&
          sockets.length > 0 &&
          !(have as { claimed?: boolean }).claimed
        ) {
          (have as { claimed?: boolean }).claimed = true;
          resolve(have);
          return;
        }
        socketWaiters.push((s) => {
          (s as { claimed?: boolean }).claimed = true;
          resolve(s);
        });
      }),
    async waitFor(text, timeoutMs = 20_000) {
      const needle = typeof text === 'string' ? Buffer.from(text) : text;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const all = Buffer.concat(received);
        if (all.includes(needle)) return all;
        if (Date.now() > deadline)
          throw new Error(
            `server did not receive ${JSON.stringify(needle.toString())}; got ${JSON.stringify(all.toString())}`,
          );
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 50);
        });
      }
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
