import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import { NetError } from '../errors.js';
import type { Channel, Endpoint } from './channel.js';
import { endpoint, formatEndpoint, unixEndpoint } from './endpoint.js';
import { formatHostPort, netError } from './errno.js';
import { type BindTarget, type Bound, bindAll, listenTargets } from './listen-addresses.js';
import { type Listener, type ListenerEventMap, limitReached } from './listener.js';
import { createBoundSocket } from './native-socket.js';
import { nearOpenFileLimit } from './open-file-limit.js';
import { tcpSocketFd } from './socket-fd.js';
import { applySocketOptions, hasOptions, type SocketOptionSpec } from './socket-options.js';
import { TcpChannel } from './tcp-channel.js';
import type { BorrowedReads } from './tcp-channel-options.js';
import { prepareServerTls, type ServerTls, secureServer } from './tls/tls-handshake.js';
import type { ListenTransportOptions } from './transport-options.js';

export type TcpListenOptions = ListenTransportOptions & { borrowedReads?: BorrowedReads };

/**
 * The accept queue asked of listen(2); the kernel caps it at net.core.somaxconn (4096 here). Node's
 * 511 overflowed when a crowd of clients connected at once (500 connects in flight, bench/listen-
 * scale.mjs). A full queue drops SYNs (each such client retries a second or more later) or, under
 * SYN cookies, a handshake's last ACK: a client that then sends nothing believes it is connected,
 * and the listener never sees it.
 */
export const LISTEN_BACKLOG = 4096;

/** How long an accepted client may take over its TLS handshake before it is turned away. */
const HANDSHAKE_MS = 30_000;

const perConnection = (s: SocketOptionSpec) => s.phase !== 'before-bind';

/** A TCP listener. Options given to it apply to the listening socket and to each accepted one. */
export class TcpListener extends EventEmitter<ListenerEventMap> implements Listener {
  get proto(): 'tcp' | 'unix' {
    return this.address.family === 'unix' ? 'unix' : 'tcp';
  }
  readonly channels = new Set<Channel>();
  private accepting = true;
  private closedAll = false;
  /** A unix listener removed a stale socket file at its path before binding (-v says so). */
  removedStale = false;
  /** Clients still in their TLS handshake. */
  private readonly handshaking = new Set<net.Socket>();
  /** The open-file limit turned a client away: said once as an error, then per client as refused. */
  private saidCrowded = false;

  constructor(
    private readonly servers: readonly net.Server[],
    readonly addresses: readonly Endpoint[],
    private readonly options: TcpListenOptions,
    private readonly serverTls?: ServerTls,
    readonly remark?: string,
  ) {
    super();
    servers.forEach((server, i) => {
      const { address, port } = addresses[i]!;
      server.on('connection', (socket) => this.accept(socket));
      server.on('error', (err) => this.emit('error', netError('listen', formatHostPort(address, port), err)));
    });
  }

  get address(): Endpoint {
    return this.addresses[0]!;
  }

  private accept(socket: net.Socket): void {
    const unix = this.address.family === 'unix' ? { local: this.address.address, remote: '' } : undefined;
    const peer = unix
      ? unixEndpoint(unix.remote)
      : endpoint(socket.remoteAddress, socket.remotePort, socket.remoteFamily);
    const refusal = this.options.access?.refusal(peer.address);
    if (refusal) {
      // ncat closes a refused client at once: no byte is read from it or sent to it.
      socket.destroy();
      this.emit('refused', peer, refusal);
      return;
    }
    const max = this.options.maxClients;
    if (!this.accepting || (max !== undefined && this.channels.size >= max)) {
      socket.destroy();
      this.emit('refused', peer, this.accepting ? limitReached(max!) : 'no longer accepting');
      return;
    }
    const fd = tcpSocketFd(socket);
    const crowded = fd === undefined ? undefined : nearOpenFileLimit(fd);
    if (crowded) {
      socket.destroy();
      this.emit('refused', peer, crowded);
      // Said once (a client at a time under -v): -k goes on, and serves again once clients leave.
      if (!this.saidCrowded)
        this.emit('error', new NetError(`accept on ${formatEndpoint(this.address)}: ${crowded}`, 'EMFILE'));
      this.saidCrowded = true;
      return;
    }
    if (!unix && fd !== undefined && hasOptions(this.options.socket, perConnection)) {
      try {
        applySocketOptions(fd, this.options.socket, 'tcp', peer.family === 'IPv6', perConnection);
      } catch (err) {
        socket.destroy();
        this.emit('error', netError('setsockopt', formatHostPort(peer.address, peer.port), err));
        return;
      }
    }
    const common = {
      linger: this.options.socket.linger,
      idleTimeoutMs: this.options.idleTimeoutMs,
      role: 'server' as const,
      tlsOptions: this.options.tls ?? {},
      unix,
    };
    if (!this.serverTls) {
      this.add(new TcpChannel(socket, { ...common, borrowedReads: this.options.borrowedReads }));
      return;
    }
    // The handshake is the client's to finish; until it does the client is not counted, and one that
    // fails it is turned away with the reason, while the listener goes on.
    const label = formatHostPort(peer.address, peer.port);
    this.handshaking.add(socket);
    secureServer(socket, this.serverTls, label, HANDSHAKE_MS).then(
      (secured) => {
        this.handshaking.delete(socket);
        if (!this.accepting && this.closedAll) return void secured.socket.destroy();
        this.add(new TcpChannel(secured.socket, { ...common, tls: secured.info }));
      },
      (err: Error) => {
        this.handshaking.delete(socket);
        this.emit('refused', peer, err.message);
      },
    );
  }

  private add(channel: TcpChannel): void {
    this.channels.add(channel);
    channel.once('close', () => this.channels.delete(channel));
    this.emit('channel', channel);
  }

  /** The SHA-256 fingerprint of a certificate generated for this listener (listen --ssl without one). */
  get tlsFingerprint(): string | undefined {
    return this.serverTls?.generatedFingerprint;
  }

  stopAccepting(): void {
    if (!this.accepting) return;
    this.accepting = false;
    for (const server of this.servers) server.close();
  }

  async close(): Promise<void> {
    this.stopAccepting();
    this.closedAll = true;
    for (const s of this.handshaking) s.destroy();
    await Promise.all([...this.channels].map((c) => c.close()));
  }
}

/**
 * Listens on host:port; with no host, on every IPv4 and IPv6 address (listen-addresses.ts). With
 * socket options, each descriptor is created and bound by us so they precede bind (Node 20 ignores
 * its own reusePort; buffer sizes set there are inherited by accepted sockets and size the
 * SYN-ACK's window); the per-connection ones are set again on each accepted socket.
 */
export async function listenTcp(
  host: string | undefined,
  port: number,
  options: TcpListenOptions,
): Promise<TcpListener> {
  const targets = await listenTargets(host, port, options.family, options.noDns);
  // The certificate is ready (read, or made) before the port opens: no client waits for it.
  const serverTls = options.tls?.enabled ? await prepareServerTls(options.tls, host) : undefined;
  const { sockets, remark } = await bindAll(
    targets,
    port,
    (target, p) => listenOne(target, p, options),
    (server) => new Promise<void>((resolve) => server.close(() => resolve())),
  );
  const addresses = sockets.map((server) => {
    const bound = server.address() as net.AddressInfo;
    return endpoint(bound.address, bound.port, bound.family);
  });
  return new TcpListener(sockets, addresses, options, serverTls, remark);
}

/** One listening socket. An IPv6 one is IPv6 only (as ncat's): IPv4 clients are the IPv4 socket's. */
async function listenOne(
  { address, family }: BindTarget,
  port: number,
  options: TcpListenOptions,
): Promise<Bound<net.Server>> {
  const label = formatHostPort(address, port);
  const server = net.createServer({ allowHalfOpen: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(netError('listen', label, err)));
    if (hasOptions(options.socket)) {
      let fd: number;
      try {
        fd = createBoundSocket({
          proto: 'tcp',
          family,
          address,
          port,
          options: options.socket,
          reuseaddrDefault: true,
          op: 'listen',
          v6only: true,
        });
      } catch (err) {
        reject(err instanceof Error && 'exitCode' in err ? err : netError('listen', label, err));
        return;
      }
      server.listen({ fd, backlog: LISTEN_BACKLOG }, resolve);
    } else {
      server.listen({ host: address, port, ipv6Only: family === 6, backlog: LISTEN_BACKLOG }, resolve);
    }
  });
  server.removeAllListeners('error');
  return { socket: server, port: (server.address() as net.AddressInfo).port };
}
