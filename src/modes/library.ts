import { EventEmitter } from 'node:events';
import type { Channel, Endpoint } from '../net/channel.js';
import type { Listener } from '../net/listener.js';
import { openConnection, openListener } from '../net/open.js';
import { resolveLibraryOptions } from '../options/library-options.js';
import { TimeoutError } from '../tube/errors.js';
import { setHandOver } from '../tube/interactive.js';
import type { TrafficLog } from '../tube/traffic-log.js';
import { type Timeout, Tube, type TubeOptions, timeoutMs } from '../tube/tube.js';
import { handOver } from './interactive.js';
import { type LogOption, openLibraryLog } from './library-log.js';

/**
 * The library's way in (pwntools' `remote` / `listen`): open a connection or a listener with
 * friendly option names and get tubes. Options are checked by the same code as the command
 * line's, so `linger: 'x'` fails exactly as `--linger x` does (a UsageError, exit code 2).
 */

/** The traffic log option of connect, listen and spawn. */
export interface LogOptions {
  /**
   * Hex-dump every chunk both ways, as `-x` does: to a file path (appended; closed when the
   * connection closes), `process.stderr`, or any writable stream. Default: `SOCKREPL_LOG`
   * (`debug` = standard error, or a path); `false` turns that off.
   */
  log?: LogOption;
}

// tube.interactive() hands its connection to the screen or to stdin/stdout through modes/.
setHandOver((loan, options) => handOver(loan, options));

/** Socket options. Times the kernel keeps in seconds take a number of seconds or a duration text. */
export interface SocketOptions {
  /** TCP_NODELAY: small writes leave at once. */
  nodelay?: boolean;
  /** SO_KEEPALIVE; a number or duration sets the idle time before the first probe (TCP_KEEPIDLE). */
  keepalive?: boolean | number | string;
  /** TCP_KEEPIDLE: idle time before the first probe. */
  keepaliveIdle?: number | string;
  /** TCP_KEEPINTVL: time between probes. */
  keepaliveInterval?: number | string;
  /** TCP_KEEPCNT: unanswered probes before the connection drops. */
  keepaliveCount?: number;
  /** SO_LINGER on with this timeout; `0` makes close() send RST. */
  linger?: number | string;
  reuseaddr?: boolean;
  reuseport?: boolean;
  /** SO_RCVBUF / SO_SNDBUF in bytes (`65536` or `'64k'`). */
  rcvbuf?: number | string;
  sndbuf?: number | string;
  /** IP_TTL / IPV6_UNICAST_HOPS. */
  ttl?: number | string;
  /** IP_TOS. */
  tos?: number | string;
}

/** TLS (ncat's --ssl names, in camelCase). Any of them but `ssl`/`sslVerify` alone only prepare `tube.startTls()`. */
export interface TlsKeys {
  /** TLS from the first byte (listen: a self-signed certificate is made when none is given). */
  ssl?: boolean;
  /** Check the peer's certificate (listen: require a client certificate); implies `ssl`. */
  sslVerify?: boolean;
  /** PEM file of CAs to trust. */
  sslTrustfile?: string;
  /** PEM certificate and key: the server's, or a client certificate. */
  sslCert?: string;
  sslKey?: string;
  /** SNI and the name checked; the host by default. */
  sslServername?: string;
  /** ALPN protocols, `'h2,http/1.1'`. */
  sslAlpn?: string;
  /** Lowest / highest TLS version: `'1.2'`, `'1.3'`. */
  sslMin?: string;
  sslMax?: string;
  sslCiphers?: string;
  /** NSS key log file for Wireshark. */
  sslKeylog?: string;
}

export interface ConnectOptions extends SocketOptions, TubeOptions, TlsKeys, LogOptions {
  /** UDP instead of TCP (see also `udp()`). */
  udp?: boolean;
  /** Force IPv4 or IPv6. */
  family?: 4 | 6;
  /** Local address to bind. */
  source?: string;
  /** Local port to bind (netcat `-p`). */
  sourcePort?: number;
  /** A unix domain socket's path (`@name`: abstract) instead of host and port. */
  unix?: string;
  /** Give up connecting after this long (milliseconds or `'5s'`). */
  connectTimeout?: Timeout;
  /** Close after this long with no traffic either way. */
  idleTimeout?: Timeout;
}

export interface ListenOptions extends SocketOptions, TubeOptions, TlsKeys, LogOptions {
  udp?: boolean;
  family?: 4 | 6;
  /** Address to listen on (default: every IPv4 and IPv6 address; one family with `family`). */
  host?: string;
  /** Listen on a unix domain socket at this path (`@name`: abstract) instead of a port. */
  unix?: string;
  /** Turn clients away (accept, then close) while this many are connected; 0 turns every one away (ncat's --max-conns). */
  maxConns?: number;
  /** The former name of `maxConns`. */
  maxClients?: number;
  idleTimeout?: Timeout;
}

/** The tube's own keys; the rest are the option vocabulary's (options/library-options.ts). */
const TUBE_KEYS = ['timeout', 'encoding', 'eol', 'highWaterMark'] as const;
const OWN_KEYS = [...TUBE_KEYS, 'log'];

/** Opens a TCP (or, with `udp: true`, UDP) connection and returns its tube. */
export async function connect(host: string, port: number, options: ConnectOptions = {}): Promise<Tube> {
  const o = resolveLibraryOptions(options as Record<string, unknown>, 'connect', OWN_KEYS);
  // A tube's timeout bounds the connect too, unless connectTimeout says otherwise.
  if (o.waitMs === undefined && options.timeout !== undefined) {
    const ms = timeoutMs(options.timeout);
    if (ms !== Number.POSITIVE_INFINITY) o.waitMs = ms;
  }
  const log = openLibraryLog(options.log, options.encoding);
  let channel: Channel;
  try {
    channel = await openConnection(host, port, o);
  } catch (err) {
    await log?.release();
    throw err;
  }
  return track(withLog(new Tube(channel, tubeOptions(options)), log));
}

/** Logs the tube's traffic to `log`, which then ends with it (the opener's hold is let go). */
export function withLog<T extends Tube>(tube: T, log: TrafficLog | undefined): T {
  if (!log) return tube;
  tube.afterClose = log.attach(tube.channel);
  void log.release();
  return tube;
}

/** A "connected" UDP socket as a tube: each send is one datagram; receives see datagrams' bytes in order. */
export function udp(host: string, port: number, options: Omit<ConnectOptions, 'udp'> = {}): Promise<Tube> {
  return connect(host, port, { ...options, udp: true });
}

/** Listens on `port` (0 picks a free one: read it from `listener.port`). */
export async function listen(port = 0, options: ListenOptions = {}): Promise<TubeListener> {
  const o = resolveLibraryOptions(options as Record<string, unknown>, 'listen', [...OWN_KEYS, 'host']);
  const log = openLibraryLog(options.log, options.encoding);
  let listener: Listener;
  try {
    listener = await openListener(options.host, port, o);
  } catch (err) {
    await log?.release();
    throw err;
  }
  return new TubeListener(listener, tubeOptions(options), log);
}

/**
 * A listening socket whose clients arrive as tubes, in order (pwntools' `listen().wait_for_connection()`).
 * Each client's tube is made as it connects, so nothing it sends before `accept()` is lost.
 */
export class TubeListener extends EventEmitter<{ tube: [tube: Tube] }> {
  private readonly queue: Tube[] = [];
  private readonly waiting: ((t: Tube) => void)[] = [];
  private readonly entry: Closable = { close: () => this.close() };
  readonly tubes = new Set<Tube>();

  constructor(
    readonly listener: Listener,
    tubeOptions: TubeOptions,
    /** Every client's traffic goes to this one log, which ends when the listener closes. */
    private readonly log?: TrafficLog,
  ) {
    super();
    openSet().add(this.entry);
    listener.on('channel', (channel) => {
      const tube = track(new Tube(channel, tubeOptions));
      if (log) tube.afterClose = log.attach(channel);
      this.tubes.add(tube);
      channel.once('close', () => this.tubes.delete(tube));
      this.emit('tube', tube);
      const w = this.waiting.shift();
      if (w) w(tube);
      else this.queue.push(tube);
    });
    // Accept errors are the listener's business; a test fails by its own timeout instead.
    listener.on('error', () => {});
  }

  get address(): Endpoint {
    return this.listener.address;
  }

  get port(): number {
    return this.listener.address.port;
  }

  /** The next client (waiting up to `timeout`, default 10s); a TimeoutError when none comes. */
  accept(options: { timeout?: Timeout } = {}): Promise<Tube> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    const ms = timeoutMs(options.timeout ?? 10_000);
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const take = (t: Tube) => {
        clearTimeout(timer);
        resolve(t);
      };
      const timer =
        ms === Number.POSITIVE_INFINITY
          ? undefined
          : setTimeout(() => {
              const i = this.waiting.indexOf(take);
              if (i >= 0) this.waiting.splice(i, 1);
              reject(
                new TimeoutError({
                  expected: `a client on port ${this.port}`,
                  received: new Uint8Array(0),
                  elapsedMs: performance.now() - started,
                  timeoutMs: ms,
                }),
              );
            }, ms);
      this.waiting.push(take);
    });
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Tube> {
    for (;;) yield await this.accept({ timeout: Number.POSITIVE_INFINITY });
  }

  /** `await using server = await listen()` closes the listener and its clients when the block ends. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Stops accepting; open clients stay open. */
  stopAccepting(): void {
    this.listener.stopAccepting();
  }

  /** Stops accepting and closes every client. */
  async close(): Promise<void> {
    openSet().delete(this.entry);
    await this.listener.close();
    await this.log?.release();
  }
}

function tubeOptions(options: TubeOptions): TubeOptions {
  const out: TubeOptions = {};
  for (const key of TUBE_KEYS)
    if (options[key] !== undefined) (out as Record<string, unknown>)[key] = options[key];
  return out;
}

// ---- what a `sockrepl run script.ts` closes when the script ends -------------------------------

interface Closable {
  close(): Promise<void>;
}

/**
 * Every tube and listener the library opened and that is still open, on globalThis so that a
 * script loaded through a runtime TypeScript loader (a second copy of this module) and the CLI
 * see the same set.
 */
const OPEN = Symbol.for('sockrepl.open');

function openSet(): Set<Closable> {
  const g = globalThis as { [OPEN]?: Set<Closable> };
  g[OPEN] ??= new Set();
  return g[OPEN];
}

export function track<T extends Tube>(tube: T): T {
  const set = openSet();
  const entry: Closable = { close: () => tube.close() };
  set.add(entry);
  tube.channel.once('close', () => set.delete(entry));
  return tube;
}

/** Closes what the library left open (a script that did not close its connections). */
export async function closeAllOpen(): Promise<number> {
  const set = openSet();
  const items = [...set];
  set.clear();
  await Promise.all(items.map((i) => i.close().catch(() => undefined)));
  return items.length;
}
