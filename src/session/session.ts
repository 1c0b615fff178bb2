import { EventEmitter } from 'node:events';
import { NetError, UsageError } from '../errors.js';
import type { FaultController } from '../fault/fault-controller.js';
import type { Channel, CloseReason, Direction, Endpoint, Protocol } from '../net/channel.js';
import { type KernelView, kernelViewChanged, readKernelViews } from '../net/kernel-view.js';
import type { Listener } from '../net/listener.js';
import type { PluginRegistry } from '../plugin/registry.js';
import type { Frame, Framer } from '../plugin/types.js';
import { matcher, type Pattern } from '../tube/matchers.js';
import { ReceiveBuffer } from '../tube/receive-buffer.js';
import { DEFAULT_LOG_LIMITS, EventLog, type LogLimits } from './event-log.js';
import type { ExpectPattern } from './expect.js';
import { consumeFrame, framePattern } from './frame-pattern.js';
import type { DataEvent, ExpectEvent, SessionEvent } from './session-events.js';
import { eventSize } from './session-events.js';
import type { Settings } from './settings.js';
import { type StreamDecoder, textCodec } from './text-port.js';

/**
 * The session hub (design section 6): owns the channels (one when connected, many when
 * listening), the target selection (/use, /all), the settings, the bounded event log, the
 * receive buffers /expect reads, framing, and the kernel-view refresh. The screen, `--json` and
 * scripts are views over its events and drive it through the interpreter; it knows none of them.
 */

/** `--send-only` or `--recv-only`: the one direction this session's traffic goes. */
export type OneWay = 'send' | 'recv';

/** The direction the options ask for, if only one. */
export function oneWayOf(options: { sendOnly: boolean; recvOnly: boolean }): OneWay | undefined {
  return options.recvOnly ? 'recv' : options.sendOnly ? 'send' : undefined;
}

/** Why every send fails in a `--recv-only` session (the session goes on). */
export const RECV_ONLY_REFUSAL =
  '--recv-only: this session sends nothing (typed lines, /send, /hex, /pack and /file are off)';

export interface SessionConfig {
  mode: 'connect' | 'listen' | 'proxy';
  proto: Protocol;
  settings: Settings;
  /**
   * `recv`: every send is refused (sendNow throws RECV_ONLY_REFUSAL). `send`: what arrives is
   * counted and kept for /expect, but the views leave it out (see hiddenDir), as pipe mode writes
   * none of it to standard output.
   */
  oneWay?: OneWay;
  /** listen: keep accepting after the first client. */
  keepOpen?: boolean;
  /** listen: relay what each client sends to every other client (ncat --broker). */
  broker?: boolean;
  /** Fill DataEvent.text with the stateful decoder (the JSON writer wants it; the screen does not). */
  decodeText?: boolean;
  logLimits?: LogLimits;
  /** How often the kernel's view (state, queues, RTT) is refreshed; 0 turns it off. */
  kernelRefreshMs?: number;
  /** Per-connection bytes kept for /expect (default 1 MiB; the oldest are dropped; 0 keeps none). */
  receiveLimit?: number;
}

export interface Conn {
  readonly id: number;
  readonly channel: Channel;
  readonly proto: Protocol;
  readonly local: Endpoint;
  readonly remote: Endpoint;
  readonly openedAt: number;
  peerEof: boolean;
  closed?: { reason: CloseReason; message?: string; time: number };
  kernel?: KernelView;
  /** Unconsumed received bytes, for /expect. */
  readonly rx: ReceiveBuffer;
  /** Whole frames received and not yet consumed by `/expect frame`. */
  readonly frames: Frame[];
  /** Per-direction state for display and framing. */
  readonly dirs: Record<Direction, DirState>;
}

interface DirState {
  prev: Buffer;
  decoder: StreamDecoder | undefined;
  framer: Framer | undefined;
  frameNo: number;
}

export type Target = number | 'all';

export interface SessionEventMap {
  event: [event: SessionEvent];
  /** Something shown changed (settings, selection, kernel view); views re-read state. */
  change: [];
}

const EMPTY = Buffer.alloc(0);
const DEFAULT_RECEIVE_LIMIT = 1024 * 1024;

export class Session extends EventEmitter<SessionEventMap> {
  readonly mode: 'connect' | 'listen' | 'proxy';
  readonly proto: Protocol;
  /** --send-only or --recv-only; undefined when both directions flow. */
  readonly oneWay: OneWay | undefined;
  readonly log: EventLog<SessionEvent>;
  readonly conns = new Map<number, Conn>();
  settings: Settings;
  target: Target = 'all';
  listener: Listener | undefined;
  listening: Endpoint | undefined;
  frameSpec: string | undefined;
  /** The loaded plugins (framers, inspector rows); set by createSession. */
  plugins: PluginRegistry | undefined;
  /** The faults on every connection (--fault, /fault); set by createSession. */
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
    });
    listener.on('channel', (ch) => {
      this.attach(ch);
      if (!this.config.keepOpen && !this.acceptedAny) listener.stopAccepting();
      this.acceptedAny = true;
    });
    listener.on('refused', (peer, why) => this.notice(`refused ${formatEndpoint(peer)}: ${why}`, 'warn'));
    listener.on('error', (err) =>
      this.record({ type: 'error', time: Date.now(), code: err.code, message: err.message }),
    );
  }

  attach(channel: Channel): Conn {
    const dir = (): DirState => ({ prev: EMPTY, decoder: undefined, framer: undefined, frameNo: 0 });
    const conn: Conn = {
      id: channel.id,
      channel,
      proto: channel.proto,
      local: channel.local,
      remote: channel.remote,
      openedAt: Date.now(),
      peerEof: false,
      rx: new ReceiveBuffer({ limit: this.config.receiveLimit ?? DEFAULT_RECEIVE_LIMIT }),
      frames: [],
      dirs: { in: dir(), out: dir() },
    };
    this.setupDir(conn, 'in');
    this.setupDir(conn, 'out');
    this.conns.set(conn.id, conn);
    if (this.paused) channel.pause();
    this.record({
      type: 'open',
      time: conn.openedAt,
      conn: conn.id,
      proto: conn.proto,
      local: conn.local,
      remote: conn.remote,
    });
    channel.on('data', (chunk) => {
      this.totals.bytesIn += chunk.length;
      this.totals.chunksIn++;
      conn.rx.append(chunk);
      this.traffic(conn, 'in', chunk);
      if (this.config.broker) this.relay(conn, chunk);
    });
    channel.on('sent', (chunk) => {
      this.totals.bytesOut += chunk.length;
      this.totals.chunksOut++;
      this.traffic(conn, 'out', chunk);
    });
    channel.on('end', () => {
      conn.peerEof = true;
      this.flushFramer(conn, 'in');
      conn.rx.markEnd();
      this.record({ type: 'eof', time: Date.now(), conn: conn.id });
    });
    channel.on('close', (reason, error) => {
      conn.closed = { reason, message: error?.message, time: Date.now() };
      if (!conn.peerEof) this.flushFramer(conn, 'in');
      // Any close ends the input: /expect eof matches after a reset too.
      conn.rx.markEnd();
      this.record({ type: 'close', time: conn.closed.time, conn: conn.id, reason, message: error?.message });
      if (this.kernelTimer) this.refreshKernel();
      this.emit('change');
    });
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

  /** The connections a send goes to: the selected one, or every open one for /all. */
  targets(): Conn[] {
    if (this.target === 'all') {
      const open = this.openConns();
      if (open.length === 0) throw new UsageError(this.noConnectionText());
      return open;
    }
    const conn = this.conns.get(this.target);
    if (!conn) throw new UsageError(`no connection ${this.target}`);
    if (conn.closed) throw new UsageError(`connection ${conn.id} is closed (${conn.closed.reason})`);
    return [conn];
  }

  /** The one connection a command like /expect or /info is about. */
  targetOne(what: string): Conn {
    if (this.target !== 'all') {
      const conn = this.conns.get(this.target);
      if (!conn) throw new UsageError(`no connection ${this.target}`);
      return conn;
    }
    // Counted without building a list: every expect of a script asks.
    let open: Conn | undefined;
    let count = 0;
    let last: Conn | undefined;
    for (const c of this.conns.values()) {
      last = c;
      if (!c.closed) {
        open = c;
        count++;
      }
    }
    if (count === 1) return open!;
    if (count === 0) {
      // After the end, /info and /expect eof still concern the last connection there was.
      if (last) return last;
      throw new UsageError(this.noConnectionText());
    }
    throw new UsageError(`${what}: ${count} connections are open; pick one with /use <id>`);
  }

  select(target: Target): void {
    if (target !== 'all' && !this.conns.has(target)) {
      const ids = [...this.conns.keys()].join(', ');
      throw new UsageError(`no connection ${target}${ids ? ` (there are: ${ids})` : ''}`);
    }
    this.target = target;
    this.emit('change');
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
    let waits: Promise<void>[] | undefined;
    for (const conn of conns ?? this.targets()) {
      if (conn.channel.writeClosed) {
        throw new UsageError(
          `connection ${conn.id} is closed for writing${conn.closed ? '' : ' (/shutdown write)'}`,
        );
      }
      const framer = conn.dirs.out.framer;
      const wire = framer ? this.frameEncode(framer, payload) : payload;
      let ok: boolean;
      try {
        ok = conn.channel.send(wire);
      } catch (err) {
        throw new NetError(`send on connection ${conn.id}: ${(err as Error).message}`, 'EPIPE', {
          cause: err,
        });
      }
      if (!ok) {
        waits ??= [];
        waits.push(drained(conn.channel, signal));
      }
    }
    return waits && Promise.all(waits).then(() => undefined);
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

  private frameEncode(framer: Framer, payload: Uint8Array): Uint8Array {
    try {
      return framer.encode(payload);
    } catch (err) {
      throw new UsageError(`frame ${this.frameSpec}: ${(err as Error).message}`);
    }
  }

  // ---- traffic ------------------------------------------------------------------------------

  private traffic(conn: Conn, dir: Direction, chunk: Buffer): void {
    const d = conn.dirs[dir];
    if (d.framer) {
      let frames: Frame[];
      try {
        frames = d.framer.decode(chunk);
      } catch (err) {
        // A stream that cannot be framed is shown raw from here on, and said so once.
        this.notice(
          `framing ${this.frameSpec} failed on connection ${conn.id} (${dir}): ${(err as Error).message}; showing raw chunks`,
          'error',
          conn.id,
        );
        d.framer = undefined;
        this.pushData(conn, dir, chunk, undefined);
        return;
      }
      for (const f of frames) {
        d.frameNo++;
        const bytes = Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.length);
        if (dir === 'in') pushBounded(conn.frames, f, 1024);
        this.pushData(conn, dir, bytes, d.frameNo);
      }
      return;
    }
    this.pushData(conn, dir, chunk, undefined);
  }

  private pushData(conn: Conn, dir: Direction, bytes: Buffer, frame: number | undefined): void {
    const d = conn.dirs[dir];
    const event: DataEvent = { type: 'data', time: Date.now(), conn: conn.id, dir, bytes, prev: d.prev };
    if (frame !== undefined) event.frame = frame;
    // Text for what no view shows (received data, with --send-only) is never needed.
    if (this.config.decodeText && dir !== this.hiddenDir) {
      d.decoder ??= textCodec(this.settings.encoding).streamDecoder();
      event.text = d.decoder.write(bytes);
      event.encoding = this.settings.encoding;
    }
    d.prev = tail(d.prev, bytes);
    this.record(event);
  }

  private flushFramer(conn: Conn, dir: Direction): void {
    const d = conn.dirs[dir];
    if (!d.framer?.flush) return;
    try {
      for (const f of d.framer.flush()) {
        d.frameNo++;
        if (dir === 'in') pushBounded(conn.frames, f, 1024);
        this.pushData(conn, dir, Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.length), d.frameNo);
      }
    } catch (err) {
      this.notice(`framing: ${(err as Error).message}`, 'warn', conn.id);
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
      this.setupDir(c, 'in');
      this.setupDir(c, 'out');
      c.frames.length = 0;
    }
    this.emit('change');
  }

  private setupDir(conn: Conn, dir: Direction): void {
    const d = conn.dirs[dir];
    d.framer = this.frameSpec && this.framerFactory ? this.framerFactory(this.frameSpec) : undefined;
    d.frameNo = 0;
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
    const started = Date.now();
    const encoding = this.settings.encoding;
    const coder = textCodec(encoding);
    let pattern: Pattern;
    if ('frame' in target) {
      if (!this.frameSpec)
        throw new UsageError('expect frame: framing is off; turn it on with /frame <spec>');
      pattern = framePattern(conn, encoding);
    } else pattern = target.pattern;
    const m = matcher(pattern, encoding);
    const finish = (e: Omit<ExpectEvent, 'type' | 'time' | 'conn' | 'pattern' | 'elapsedMs'>) => {
      const event: ExpectEvent = {
        type: 'expect',
        time: Date.now(),
        conn: conn.id,
        pattern: target.source,
        elapsedMs: Date.now() - started,
        ...e,
      };
      if (!event.ok) {
        const last = conn.rx.peek().subarray(-64);
        event.lastHex = last.toString('hex');
        event.lastText = coder.decode(last);
      }
      this.record(event);
      return event;
    };
    let timer: NodeJS.Timeout | undefined;
    let stop: ((why: string) => void) | undefined;
    const stopped = new Promise<string>((resolve) => {
      stop = resolve;
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
      signal?.addEventListener('abort', () => resolve('cancelled'), { once: true });
    });
    let dropped = conn.rx.dropped;
    try {
      for (;;) {
        // Bytes dropped from the front of a full buffer move every offset: search from the start.
        if (conn.rx.dropped !== dropped) {
          dropped = conn.rx.dropped;
          m.restart();
        }
        const found = m.find(conn.rx);
        if (found) {
          const taken = conn.rx.take(found.end);
          const frame = found.data === undefined ? undefined : consumeFrame(conn, found.data);
          if (frame) {
            const payload = Buffer.from(frame.payload);
            return finish({ ok: true, match: coder.decode(payload), hex: payload.toString('hex') });
          }
          // eof matches after everything left, which it consumes: that is what it shows.
          const match = m.kind === 'eof' ? taken : taken.subarray(found.start);
          const shown = { ok: true, match: coder.decode(match), hex: match.toString('hex') };
          if (m.kind === 'eof') return finish(shown);
          return finish({ ...shown, groups: found.exec?.slice(1).map((g) => g ?? '') ?? [] });
        }
        if (conn.peerEof || conn.closed) return finish({ ok: false, reason: conn.closed ? 'closed' : 'eof' });
        const why = await Promise.race([conn.rx.changed().then(() => ''), stopped]);
        if (why) return finish({ ok: false, reason: why });
      }
    } finally {
      clearTimeout(timer);
      stop?.('');
    }
  }

  // ---- kernel view --------------------------------------------------------------------------

  /** Reads state, queues and RTT for every connection; emits `state` for those that changed. */
  refreshKernel(): void {
    const conns = [...this.conns.values()].filter((c) => !c.closed || Date.now() - c.closed.time < 120_000);
    if (conns.length === 0) return;
    let views: KernelView[];
    try {
      views = readKernelViews(
        conns.map((c) => ({ proto: c.proto, fd: c.channel.fd, local: c.local, remote: c.remote })),
      );
    } catch {
      return;
    }
    let changed = false;
    conns.forEach((c, i) => {
      const v = views[i]!;
      // Once closed and gone from the kernel's tables there is nothing more to say.
      if (c.closed && v.state === undefined) {
        if (c.kernel?.state !== undefined) {
          c.kernel = { state: undefined };
          changed = true;
        }
        return;
      }
      const was = c.kernel;
      c.kernel = v;
      if (kernelViewChanged(was, v)) {
        changed = true;
        this.emit('event', { type: 'state', time: Date.now(), conn: c.id, ...v });
      }
    });
    if (changed) this.emit('change');
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
  async close(): Promise<void> {
    this.closedAll = true;
    clearInterval(this.kernelTimer);
    const listener = this.listener;
    this.listener = undefined;
    await Promise.all([
      listener?.close(),
      ...this.openConns().map((c) => c.channel.close().catch(() => undefined)),
    ]);
  }
}

function drained(channel: Channel, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      channel.off('drain', done);
      channel.off('close', done);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    channel.on('drain', done);
    channel.on('close', done);
    signal?.addEventListener('abort', done, { once: true });
  });
}

function tail(prev: Buffer, bytes: Buffer): Buffer {
  // A view, not a copy: the event keeps the whole chunk anyway.
  if (bytes.length >= 4) return bytes.subarray(bytes.length - 4);
  return Buffer.concat([prev, bytes]).subarray(-4);
}

function pushBounded<T>(list: T[], item: T, max: number): void {
  list.push(item);
  if (list.length > max) list.shift();
}

export function formatEndpoint(e: Endpoint): string {
  return e.family === 'IPv6' ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}
