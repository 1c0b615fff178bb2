import type * as dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import type { Channel, Endpoint } from './channel.js';
import { endpoint } from './endpoint.js';
import { formatHostPort, netError } from './errno.js';
import { bindAll, listenTargets } from './listen-addresses.js';
import { type Listener, type ListenerEventMap, limitReached } from './listener.js';
import { openSocket, type UdpOptions } from './udp.js';
import { UdpChannel } from './udp-channel.js';

/**
 * Bound UDP sockets (one per family when no address was given) that make a channel for each new
 * sender. A sender's channel answers from the socket its datagrams came to.
 */
export class UdpListener extends EventEmitter<ListenerEventMap> implements Listener {
  readonly proto = 'udp' as const;
  readonly channels = new Set<Channel>();
  private readonly peers = new Map<string, UdpChannel>();
  private readonly refusedPeers = new Set<string>();
  private accepting = true;

  constructor(
    private readonly sockets: readonly dgram.Socket[],
    readonly addresses: readonly Endpoint[],
    private readonly options: UdpOptions,
    readonly remark?: string,
  ) {
    super();
    sockets.forEach((socket, i) => {
      const local = addresses[i]!;
      socket.on('message', (msg, rinfo) => this.receive(socket, local, msg, rinfo));
      socket.on('error', (err) =>
        this.emit('error', netError('recv', formatHostPort(local.address, local.port), err)),
      );
    });
  }

  get address(): Endpoint {
    return this.addresses[0]!;
  }

  private receive(socket: dgram.Socket, local: Endpoint, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const key = formatHostPort(rinfo.address, rinfo.port);
    let channel = this.peers.get(key);
    if (!channel) {
      const peer = endpoint(rinfo.address, rinfo.port, rinfo.family);
      const refusal = this.options.access?.refusal(peer.address);
      if (refusal) {
        // Its datagrams are dropped; only the first of each sender is reported.
        if (!this.refusedPeers.has(key)) {
          if (this.refusedPeers.size >= 4096) this.refusedPeers.clear();
          this.refusedPeers.add(key);
          this.emit('refused', peer, refusal);
        }
        return;
      }
      const max = this.options.maxClients;
      if (!this.accepting || (max !== undefined && this.peers.size >= max)) {
        this.emit('refused', peer, this.accepting ? limitReached(max!) : 'no longer accepting');
        return;
      }
      const created = new UdpChannel(socket, local, peer, {
        connected: false,
        idleTimeoutMs: this.options.idleTimeoutMs,
        onClose: () => {
          this.peers.delete(key);
          this.channels.delete(created);
        },
      });
      channel = created;
      this.peers.set(key, created);
      this.channels.add(created);
      this.emit('channel', created);
    }
    channel.deliver(msg);
  }

  stopAccepting(): void {
    this.accepting = false;
  }

  async close(): Promise<void> {
    this.accepting = false;
    await Promise.all([...this.peers.values()].map((channel) => channel.close()));
    await Promise.all(this.sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

/** Listens for datagrams on host:port; with no host, on every IPv4 and IPv6 address. */
export async function listenUdp(
  host: string | undefined,
  port: number,
  options: UdpOptions,
): Promise<UdpListener> {
  const targets = await listenTargets(host, port, options.family, options.noDns);
  const { sockets, remark } = await bindAll(
    targets,
    port,
    async ({ address, family }, p) => {
      const socket = await openSocket(family, address, p, options, 'listen');
      return { socket, port: socket.address().port };
    },
    (socket) => new Promise<void>((resolve) => socket.close(() => resolve())),
  );
  const addresses = sockets.map((s) => {
    const bound = s.address();
    return endpoint(bound.address, bound.port, bound.family);
  });
  return new UdpListener(sockets, addresses, options, remark);
}
