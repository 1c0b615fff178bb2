import { EventEmitter } from 'node:events';
import { UsageError } from '../errors.js';
import type { FaultController } from '../fault/fault-controller.js';
import type { Channel, Direction, Endpoint, Protocol } from '../net/channel.js';
import type { Listener } from '../net/listener.js';
import { formatTlsSummary } from '../net/tls/tls-info.js';
import type { PluginRegistry } from '../plugin/registry.js';
import type { Framer } from '../plugin/types.js';
import { Tube } from '../tube/tube.js';
import { closeAll } from './close-all.js';
import { type Conn, formatEndpoint } from './conn.js';
import { DEFAULT_LOG_LIMITS, EventLog } from './event-log.js';
import type { ExpectPattern } from './expect.js';
import { refreshKernelViews } from './kernel-refresh.js';
import type { OneWay } from './one-way.js';
import { RECV_ONLY_REFUSAL } from './one-way.js';
import { programOpenFields, reportProgramExit } from './program-events.js';
import { sendToConns } from './sending.js';
import type { SessionConfig } from './session-config.js';
import type { ExpectEvent, SessionEvent } from './session-events.js';
import { eventSize } from './session-events.js';
import { expectOn } from './session-expect.js';
import type { Settings } from './settings.js';
import { oneTarget, sendTargets, type Target } from './targeting.js';
import { textCodec } from './text-port.js';
import { flushFramer, freshDir, setupFraming, type TrafficHost, traffic } from './traffic.js';

export type { Conn } from './conn.js';
export { formatEndpoint } from './conn.js';

/**
 * The session hub (design section 6): owns the connections (one when connected, many when
 * listening), the target selection (/use, /all), the settings, the bounded event log, framing,
 * and the kernel-view refresh. Each connection's tube is its one receive engine. The screen,
 * `--json` and scripts are views over its events and drive it through the interpreter; it knows
 * none of them.
 */

export { type OneWay, oneWayOf, RECV_ONLY_REFUSAL } from './one-way.js';
export type { SessionConfig } from './session-config.js';

export type { Target } from './targeting.js';

export interface SessionEventMap {
  event: [event: SessionEvent];
  /** Something shown changed (settings, selection, kernel view); views re-read state. */
  change: [];
}

const SCREEN_RECEIVE = { bufferLimit: 1024 * 1024, highWaterMark: Number.POSITIVE_INFINITY };

export class Session extends EventEmitter<SessionEventMap> implements TrafficHost {
  readonly mode: 'connect' | 'listen' | 'proxy';
  readonly proto: Protocol;
  /** --send-only or --recv-only; undefined when both directions flow. */
  readonly oneWay: OneWay | undefined;
  readonly decodeText: boolean;
  readonly log: EventLog<SessionEvent>;
  readonly conns = new Map<number, Conn>();
  settings: Settings;
  target: Target = 'all';
  listener: Listener | undefined;
  listening: Endpoint | undefined;
  frameSpec: string | undefined;
  /** The loaded plugins (framers, inspector rows); set by whoever composes the session. */
  plugins: PluginRegistry | undefined;
  /** The faults on every connection (--fault, /fault); set by whoever composes the session. */
  faults: FaultController | undefined;
  /** proxy: where each client's upstream connection goes (`host:port`), for the views. */
  upstream: string | undefined;
  /** Creates framers for a spec; installed by whoever knows the plugin registry. */
  framerFactory: ((spec: string) => Framer) | undefined;
  readonly totals = { bytesIn: 0, bytesOut: 0, chunksIn: 0, chunksOut: 0 };
  private readonly config: SessionConfig;
  private kernelTimer: NodeJS.Timeout | undefined;
  private closedAll = false;
  private paused = false;
  private acceptedAny = false;

  constructor(config: SessionConfig) {
    super();
    this.config = config;
    this.mode = config.mode;
    this.proto = config.proto;
    this.oneWay = config.oneWay;
    this.decodeText = Boolean(config.decodeText);
    this.settings = { ...config.settings };
    this.log = new EventLog<SessionEvent>(config.logLimits ?? DEFAULT_LOG_LIMITS, eventSize);
    const every = config.kernelRefreshMs ?? 1000;
    if (every > 0) {
      this.kernelTimer = setInterval(() => this.refreshKernel(), every);
      this.kernelTimer.unref();
    }
  }

  // ---- channels -----------------------------------------------------------------------------

  attachListener(listener: Listener): void {
    this.listener = listener;
    this.listening = listener.address;
    this.record({
      type: 'listening',
      time: Date.now(),
      proto: listener.proto,
      address: listener.address.address,
      port: listener.address.port,
      addresses: listener.addresses.map(({ address, port, family }) => ({ address, port, family })),
    });
    if (listener.remark) this.notice(listener.remark);
    listener.on('channel', (ch) => {
      this.attach(ch);
      if (!this.config.keepOpen && !this.acceptedAny) listener.stopAccepting();
      this.acceptedAny = true;
    });
    if (listener.tlsFingerprint)
      this.notice(`TLS: serving a self-signed certificate made now, SHA-256 ${listener.tlsFingerprint}`);
    listener.on('refused', (peer, why) => this.notice(`refused ${formatEndpoint(peer)}: ${why}`, 'warn'));
    listener.on('error', (err) =>
      this.record({ type: 'error', time: Date.now(), code: err.code, message: err.message }),
    );
  }

  attach(channel: Channel): Conn {
    const program = channel.program;
    // The session listens first, so that a frame is decoded (and a last one flushed at the end)
    // before the tube, created below, looks for it.
    channel.on('data', (chunk) => {
      this.totals.bytesIn += chunk.length;
      this.totals.chunksIn++;
      traffic(this, conn, 'in', chunk, program?.isStderr(chunk));
      if (this.config.broker) this.relay(conn, chunk);
    });
    channel.on('sent', (chunk) => {
      this.totals.bytesOut += chunk.length;
      this.totals.chunksOut++;
      traffic(this, conn, 'out', chunk);
    });
    channel.on('end', () => {
      conn.peerEof = true;
      flushFramer(this, conn, 'in');
      this.record({ type: 'eof', time: Date.now(), conn: conn.id });
    });
    channel.on('close', (reason, error) => {
      conn.closed = { reason, message: error?.message, time: Date.now() };
      if (!conn.peerEof) flushFramer(this, conn, 'in');
      this.record({ type: 'close', time: conn.closed.time, conn: conn.id, reason, message: error?.message });
      if (this.kernelTimer) this.refreshKernel();
      this.emit('change');
    });
    const receive = this.config.receive ?? SCREEN_RECEIVE;
    const conn: Conn = {
      id: channel.id,
      channel,
      proto: channel.proto,
      local: channel.local,
      remote: channel.remote,
      openedAt: Date.now(),
      peerEof: false,
      tube: new Tube(channel, { ...receive, timeout: Number.POSITIVE_INFINITY }),
      frames: [],
      dirs: { in: freshDir(), out: freshDir() },
    };
    this.setupFraming(conn);
    this.conns.set(conn.id, conn);
    reportProgramExit(this, conn);
    if (this.paused) channel.pause();
    this.record({
      type: 'open',
      time: conn.openedAt,
      conn: conn.id,
      proto: conn.proto,
      local: conn.local,
      remote: conn.remote,
      ...programOpenFields(program),
      ...(channel.tls ? { tls: channel.tls } : {}),
    });
    if (channel.tls)
      this.notice(`TLS: ${formatTlsSummary(channel.tls)}`, channel.tls.authorized ? 'info' : 'warn', conn.id);
    if (this.target !== 'all' && this.conns.size === 1) this.target = 'all';
    // With the refresh off (a script) nothing shows the view: /info and /opt read it when asked.
    if (this.kernelTimer) this.refreshKernel();
    return conn;
  }

  /** Open connections, oldest first. */
  openConns(): Conn[] {
    const open: Conn[] = [];
    for (const c of this.conns.values()) if (!c.closed) open.push(c);
    return open;
  }

  /** The connections a send goes to: the selected one (or `target`), or every open one for /all. */
  targets(target: Target = this.target): Conn[] {
    return sendTargets(this.conns, target, () => this.noConnectionText());
  }

  /** The one connection a command like /expect or /info is about. */
  targetOne(what: string): Conn {
    return oneTarget(this.conns, this.target, what, () => this.noConnectionText());
  }

  select(target: Target): void {
    if (target !== 'all') this.connection(target);
    this.target = target;
    this.emit('change');
  }

  /** Connection `id`, open or over; a usage error naming the ones there are when there is none. */
  connection(id: number): Conn {
    const conn = this.conns.get(id);
    if (conn) return conn;
    const ids = [...this.conns.keys()].join(', ');
    throw new UsageError(`no connection ${id}${ids ? ` (there are: ${ids})` : ''}`);
  }

  private noConnectionText(): string {
    if (this.mode !== 'connect' && !this.acceptedAny) return 'no client has connected yet';
    return 'no open connection';
  }

  // ---- sending ------------------------------------------------------------------------------

  /**
   * Refuses a send in a receive-only session. Every send goes through sendNow, which asks first;
   * a command that sends in pieces (/file) asks before it starts.
   */
  assertSends(): void {
    if (this.oneWay === 'recv') throw new UsageError(RECV_ONLY_REFUSAL);
  }

  /** The direction whose data the views leave out: what arrives, in a send-only session. */
  get hiddenDir(): Direction | undefined {
    return this.oneWay === 'send' ? 'in' : undefined;
  }

  /**
   * Sends one payload to every target (framed when framing is on). Resolves once the kernel has
   * taken it, so a caller sending in a loop honours backpressure.
   */
  async send(payload: Uint8Array, conns?: Conn[], signal?: AbortSignal): Promise<void> {
    await this.sendNow(payload, conns, signal);
  }

  /**
   * send without a promise when nothing has to wait: undefined once every target took the bytes,
   * else a promise that resolves when they drained. Throws what send rejects with. The targets
   * default to the selection (/use, /all), read after the one-way check: a receive-only session
   * says why it sends nothing before saying there is no one to send to.
   */
  sendNow(payload: Uint8Array, conns?: Conn[], signal?: AbortSignal): Promise<void> | undefined {
    this.assertSends();
    return sendToConns(conns ?? this.targets(), payload, this.frameSpec, signal);
  }

  private relay(from: Conn, chunk: Buffer): void {
    for (const c of this.conns.values()) {
      if (c === from || c.closed || c.channel.writeClosed) continue;
      try {
        c.channel.send(chunk);
      } catch {
        // A client going away mid-relay is reported by its own close event.
      }
    }
  }

  /** Stops or restarts reading on every connection (a slow view applying backpressure). */
  setPaused(paused: boolean): void {
    this.paused = paused;
    for (const c of this.openConns()) {
      if (paused) c.channel.pause();
      else c.channel.resume();
    }
  }

  // ---- settings -----------------------------------------------------------------------------

  setEncoding(name: string): string {
    const canonical = textCodec(name).name;
    this.settings = { ...this.settings, encoding: canonical };
    // Restart the stream decoders: bytes split across the switch would decode as garbage anyway.
    for (const c of this.conns.values()) {
      c.dirs.in.decoder = undefined;
      c.dirs.out.decoder = undefined;
    }
    this.emit('change');
    return canonical;
  }

  update(patch: Partial<Settings>): void {
    this.settings = { ...this.settings, ...patch };
    this.emit('change');
  }

  /** Turns framing on for every connection (and those to come), or off with undefined. */
  setFrame(spec: string | undefined): void {
    if (spec !== undefined) {
      if (!this.framerFactory) throw new UsageError('/frame: framing plugins are not available yet');
      // Make one now so a bad spec fails here, before any connection changes.
      this.framerFactory(spec);
    }
    this.frameSpec = spec;
    for (const c of this.conns.values()) {
      this.setupFraming(c);
      c.frames.length = 0;
    }
    this.emit('change');
  }

  private setupFraming(conn: Conn): void {
    setupFraming(this, conn, this.framerFactory);
  }

  // ---- expect -------------------------------------------------------------------------------

  /**
   * Waits until the pattern is in the connection's receive buffer, consumes up to the end of the
   * match, and reports an `expect` event either way. Never rejects: a failure is `ok: false`.
   */
  async expect(
    target: ExpectPattern,
    timeoutMs: number,
    conn: Conn = this.targetOne('expect'),
    signal?: AbortSignal,
  ): Promise<ExpectEvent> {
    const result = await expectOn(conn, target, {
      timeoutMs,
      encoding: this.settings.encoding,
      frameSpec: this.frameSpec,
      signal,
    });
    const event: ExpectEvent = { type: 'expect', time: Date.now(), ...result };
    this.record(event);
    return event;
  }

  // ---- kernel view --------------------------------------------------------------------------

  /** Reads state, queues and RTT for every connection; emits `state` for those that changed. */
  refreshKernel(): void {
    if (refreshKernelViews(this.conns.values(), (e) => this.emit('event', e))) this.emit('change');
  }

  // ---- events -------------------------------------------------------------------------------

  /** Logs an event and tells every view. Progress and state are shown, not logged. */
  record(event: SessionEvent): void {
    if (event.type !== 'progress' && event.type !== 'state') this.log.push(event);
    this.emit('event', event);
  }

  notice(text: string, level: 'info' | 'warn' | 'error' = 'info', conn?: number): void {
    this.record({ type: 'notice', time: Date.now(), level, text, ...(conn === undefined ? {} : { conn }) });
  }

  /** True once nothing more can happen: every connection closed and no listener accepting more. */
  get finished(): boolean {
    if (this.closedAll) return true;
    if (this.openConns().length > 0) return false;
    if (this.mode === 'connect') return this.conns.size > 0;
    return this.acceptedAny && !this.config.keepOpen;
  }

  /** Closes the listener and every connection; stops the refresh timer. */
  /** Closes the listener and every connection; `graceMs` bounds the wait for what is queued (closeAll). */
  async close(graceMs = Number.POSITIVE_INFINITY): Promise<void> {
    this.closedAll = true;
    clearInterval(this.kernelTimer);
    const listener = this.listener;
    this.listener = undefined;
    const conns = this.config.keepConnections ? [] : this.openConns();
    await closeAll(conns, listener?.close(), graceMs, (c) =>
      this.notice(
        `the peer read nothing more for ${graceMs / 1000}s: reset, what was queued is lost`,
        'warn',
        c.id,
      ),
    );
  }
}
