import type { FaultController } from '../fault/fault-controller.js';
import type { Channel } from '../net/channel.js';
import type { Listener } from '../net/listener.js';
import { ListenerDecorator } from '../net/listener-decorator.js';
import { openConnection, openListener, openProgram } from '../net/open.js';
import type { ProgramSpec } from '../net/program.js';
import type { ConnectionOptions, UpstreamSpec } from '../options/connection-options.js';
import { type Dialer, ProxyLink, type ProxyLog } from './proxy-link.js';

export interface ProxyConfig {
  /** Address to listen on (`-s`); all addresses by default, as `listen`. */
  host?: string;
  port: number;
  /** The listening side's options: protocol, family, socket options of accepted clients, limits. */
  listen: ConnectionOptions;
  /** Where each client goes: a connection upstream, or (-e/-c) a program started for it. */
  upstream: UpstreamSpec | { program: ProgramSpec };
  /** Faults apply to each client's connection: `in` is what the client sends, `out` what it is sent. */
  faults?: FaultController;
  log: ProxyLog;
}

/**
 * `sockrepl proxy`: a listener whose every client gets its own upstream connection. To the
 * session it is a Listener like any other: its `channel` events are the clients' connections
 * (wrapped in the faults), so the traffic view, `--json` and `-x` see both directions of each
 * relay as that client's `in` (client → upstream) and `out` (upstream → client).
 */
export class ProxyListener extends ListenerDecorator {
  readonly channels = new Set<Channel>();
  /** Told of each client's upstream connection once it is connected (the pcap writer's second leg). */
  readonly upstreamWatchers = new Set<(client: Channel, upstream: Channel) => void>();
  private readonly links = new Set<ProxyLink>();

  constructor(
    inner: Listener,
    private readonly config: ProxyConfig,
  ) {
    super(inner);
  }

  /** Each client with its upstream connection, where that is connected and open. */
  upstreams(): Array<[client: Channel, upstream: Channel]> {
    return [...this.links].flatMap((l) =>
      l.upstream && !l.upstream.closed ? [[l.client, l.upstream] as [Channel, Channel]] : [],
    );
  }

  async close(): Promise<void> {
    this.inner.stopAccepting();
    await Promise.all([...this.links].map((l) => l.close()));
    await this.inner.close();
  }

  protected accept(raw: Channel): void {
    const client = this.config.faults ? this.config.faults.wrap(raw) : raw;
    this.channels.add(client);
    client.once('close', () => this.channels.delete(client));
    const link = new ProxyLink(client, dialerFor(this.config.upstream), this.config.log, (up) => {
      for (const watch of this.upstreamWatchers) watch(client, up);
    });
    this.links.add(link);
    void link.done.then(() => this.links.delete(link));
    this.emit('channel', client);
    void link.start();
  }
}

export async function startProxy(config: ProxyConfig): Promise<ProxyListener> {
  const o = config.listen;
  const inner = await openListener(config.host, config.port, o);
  return new ProxyListener(inner, config);
}

/** How each client's other side is opened. */
export function dialerFor(upstream: ProxyConfig['upstream']): Dialer {
  if ('program' in upstream) {
    const spec = upstream.program;
    return { open: () => openProgram(spec), program: true };
  }
  const { host, port, options } = upstream;
  return { open: () => openConnection(host, port, options) };
}
