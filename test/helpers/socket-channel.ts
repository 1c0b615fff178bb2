import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import { NetError } from '../../src/errors.js';
import type { Channel, ChannelEventMap, ChannelStats, CloseReason, Endpoint } from '../../src/net/channel.js';
import {
  findSocketOption,
  readSocketOptions,
  type SocketOptionValues,
  setSocketOption,
} from '../../src/net/socket-options.js';

/**
 * TEST HELPER ONLY: a plain `node:net` Socket dressed as a Channel, so that the tube can be tested
 * over real loopback sockets independently of the product's transports. It does what the Channel
 * contract says and no more (no SO_LINGER emulation, no idle timer).
 */
export class TestSocketChannel extends EventEmitter<ChannelEventMap> implements Channel {
  private static nextId = 1000;
  readonly id = TestSocketChannel.nextId++;
  readonly proto = 'tcp' as const;
  readonly local: Endpoint;
  readonly remote: Endpoint;
  readonly stats: ChannelStats;
  writeClosed = false;
  readClosed = false;
  closed = false;
  private reason: CloseReason | undefined;
  private error: NetError | undefined;

  constructor(readonly socket: net.Socket) {
    super();
    const now = Date.now();
    this.stats = { bytesIn: 0, bytesOut: 0, chunksIn: 0, chunksOut: 0, openedAt: now, lastActivityAt: now };
    this.local = endpoint(socket.localAddress, socket.localPort);
    this.remote = endpoint(socket.remoteAddress, socket.remotePort);
    socket.on('data', (chunk: Buffer) => {
      this.stats.bytesIn += chunk.length;
      this.stats.chunksIn++;
      this.emit('data', chunk);
    });
    socket.on('end', () => {
      this.readClosed = true;
      this.emit('end');
    });
    socket.on('drain', () => this.emit('drain'));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? 'EIO';
      this.reason ??= code === 'ECONNRESET' ? 'reset' : 'error';
      this.error = new NetError(`test channel: ${code}`, code, { cause: err });
    });
    socket.on('close', () => {
      this.closed = this.readClosed = this.writeClosed = true;
      const reason = this.reason ?? (this.error ? 'error' : 'eof');
      this.emit('close', reason, reason === 'eof' || reason === 'local' ? undefined : this.error);
    });
  }

  /** Connects to 127.0.0.1 (or `host`) and resolves with the channel. */
  static connect(port: number, host = '127.0.0.1'): Promise<TestSocketChannel> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host, noDelay: true, allowHalfOpen: true }, () => {
        s.off('error', reject);
        resolve(new TestSocketChannel(s));
      });
      s.once('error', reject);
    });
  }

  get fd(): number | undefined {
    const fd = (this.socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
    return typeof fd === 'number' && fd >= 0 ? fd : undefined;
  }

  send(data: Uint8Array): boolean {
    if (this.writeClosed) throw new Error(`connection ${this.id} is closed for writing`);
    this.stats.bytesOut += data.length;
    this.stats.chunksOut++;
    const ok = this.socket.write(data);
    this.emit('sent', Buffer.from(data));
    return ok;
  }

  shutdown(how: 'write' | 'read'): void {
    if (how === 'write') {
      this.writeClosed = true;
      this.socket.end();
    } else {
      this.readClosed = true;
      this.socket.pause();
    }
  }

  close(): Promise<void> {
    this.reason ??= 'local';
    this.writeClosed = true;
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end();
      this.socket.destroySoon();
    });
  }

  reset(): void {
    this.reason ??= 'local';
    this.socket.resetAndDestroy();
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  setOption(name: keyof SocketOptionValues, value: number | boolean): void {
    const fd = this.fd;
    if (fd === undefined) throw new Error('test channel: closed');
    setSocketOption(fd, findSocketOption(name), value, this.socket.remoteFamily === 'IPv6');
  }

  readOptions(): SocketOptionValues {
    const fd = this.fd;
    return fd === undefined ? {} : readSocketOptions(fd, 'tcp', this.socket.remoteFamily === 'IPv6');
  }
}

function endpoint(address: string | undefined, port: number | undefined): Endpoint {
  const a = address ?? '';
  return { address: a, port: port ?? 0, family: a.includes(':') ? 'IPv6' : 'IPv4' };
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
