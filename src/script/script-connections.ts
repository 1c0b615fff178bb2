import { UsageError } from '../errors.js';
import { startSession } from '../modes/open-session.js';
import type { Listener } from '../net/listener.js';
import type { ProgramSpec } from '../net/program.js';
import type { TlsOptions } from '../net/tls/tls-options.js';
import type { ConnectionOptions } from '../options/connection-options.js';
import type { Conn, Session } from '../session/session.js';
import { TimeoutError } from '../tube/errors.js';
import type { Tube } from '../tube/tube.js';
import type { Endpoints } from './resolve.js';

/**
 * The connections of a running script. They belong to the session (so commands, framing, faults
 * and recording work as at the prompt), and a script's expects read each connection's own tube,
 * the one receive engine /expect and plugin commands read too: a second tube per connection
 * would see bytes the first already consumed, and its high-water mark paused the channel for
 * good once 16 MiB sat unread in the other. A script that listens waits here for its client.
 */
export class ScriptConnections {
  private waiters = new Set<() => void>();
  private listener: Listener | undefined;

  constructor(readonly session: Session) {
    session.on('event', (e) => {
      if (e.type !== 'open') return;
      for (const w of [...this.waiters]) w();
    });
  }

  /** Connects through the session's own path (the one `sockrepl connect` takes) and targets it. */
  async connect(ep: Endpoints): Promise<Conn> {
    const host = ep.host ?? '127.0.0.1';
    const before = new Set(this.session.conns.keys());
    await startSession(this.session, { kind: 'connect', host, port: ep.port, options: ep.options });
    const conn = [...this.session.conns.values()].find((c) => !before.has(c.id));
    if (!conn) throw new UsageError(`connect ${host}:${ep.port}: the connection closed at once`);
    this.session.select(conn.id);
    return conn;
  }

  /** Starts a program through the session's own path (the one `sockrepl exec` takes) and targets it. */
  async spawn(program: ProgramSpec, options: ConnectionOptions): Promise<Conn> {
    const before = new Set(this.session.conns.keys());
    await startSession(this.session, { kind: 'exec', port: 0, options, program });
    const conn = [...this.session.conns.values()].find((c) => !before.has(c.id));
    if (!conn) throw new UsageError(`spawn ${program.argv[0]}: the program ended at once`);
    this.session.select(conn.id);
    return conn;
  }

  async listen(ep: Endpoints): Promise<Listener> {
    if (this.listener) throw new UsageError('a script listens only once (use keep-open for more clients)');
    const o = ep.options;
    await startSession(this.session, { kind: 'listen', host: ep.host, port: ep.port, options: o });
    const listener = this.session.listener;
    if (!listener) throw new UsageError('listen: the listener closed at once');
    this.listener = listener;
    // The session keeps accepting (it is made before the listen line is known); without
    // keep-open the first client is the only one, as with `sockrepl listen`.
    if (!o.keepOpen) listener.once('channel', () => listener.stopAccepting());
    return listener;
  }

  /**
   * The connection a step acts on (the session's target), with its tube. While listening and no
   * client has come yet, waits for one until `deadline` (a performance.now() time).
   */
  async target(what: string, deadline: number): Promise<{ conn: Conn; tube: Tube }> {
    if (this.waitsForClient) await this.awaitClient(deadline);
    return this.targetNow(what);
  }

  /** The target as it is now (no waiting). */
  targetNow(what: string): { conn: Conn; tube: Tube } {
    const conn = this.session.targetOne(what);
    return { conn, tube: conn.tube };
  }

  /** True while listening and no client has come yet. */
  get waitsForClient(): boolean {
    return this.listener !== undefined && this.session.conns.size === 0;
  }

  /** Resolves once a connection exists; throws a TimeoutError when none came by the deadline. */
  async awaitClient(deadline: number): Promise<void> {
    if (!this.waitsForClient) return;
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      const left = Math.max(0, deadline - started);
      const timer =
        left === Number.POSITIVE_INFINITY
          ? undefined
          : setTimeout(() => {
              this.waiters.delete(done);
              reject(
                new TimeoutError({
                  expected: `a client on ${this.listener?.address.address}:${this.listener?.address.port}`,
                  received: new Uint8Array(0),
                  elapsedMs: performance.now() - started,
                  timeoutMs: left,
                }),
              );
            }, left);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      this.waiters.add(done);
    });
  }

  /** The tube of the current target, when there is one (for a failure report). */
  currentTube(): Tube | undefined {
    try {
      return this.session.targetOne('fail').tube;
    } catch {
      return undefined;
    }
  }

  get listening(): Listener | undefined {
    return this.listener;
  }

  async close(): Promise<void> {
    // A datagram sent to an address is handed to the kernel a tick later (after the address
    // lookup); closing the socket first would drop the script's last reply.
    await new Promise((resolve) => setImmediate(resolve));
    for (const c of this.session.conns.values()) c.tube.detach();
    await this.session.close();
  }
}

/**
 * The options of one connect/listen line on top of the command line's: what the line sets wins,
 * socket options are merged key by key.
 */
export function mergeOptions(cli: ConnectionOptions, line: ConnectionOptions): ConnectionOptions {
  return {
    ...cli,
    udp: cli.udp || line.udp,
    family: line.family ?? cli.family,
    source: line.source ?? cli.source,
    sourcePort: line.sourcePort ?? cli.sourcePort,
    socket: { ...cli.socket, ...line.socket },
    waitMs: line.waitMs ?? cli.waitMs,
    idleTimeoutMs: line.idleTimeoutMs ?? cli.idleTimeoutMs,
    keepOpen: cli.keepOpen || line.keepOpen,
    maxClients: line.maxClients ?? cli.maxClients,
    broker: cli.broker || line.broker,
    tls: mergeTls(cli.tls, line.tls),
    unix: line.unix ?? cli.unix,
    proxy: line.proxy ?? cli.proxy,
  };
}

/** TLS settings of a line over the command line's; a switch on either side stays on. */
function mergeTls(cli: TlsOptions | undefined, line: TlsOptions | undefined): TlsOptions | undefined {
  if (!cli || !line) return line ?? cli;
  return {
    ...cli,
    ...line,
    enabled: Boolean(cli.enabled || line.enabled),
    verify: cli.verify || line.verify,
  };
}
