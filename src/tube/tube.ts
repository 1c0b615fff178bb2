import { AsyncLocalStorage } from 'node:async_hooks';
import { decodeText, encodeText, resolveEncoding } from '../codec/text.js';
import { parseDuration } from '../codec/units.js';
import { NetError, UsageError } from '../errors.js';
import type { Channel, CloseReason, Endpoint, Protocol } from '../net/channel.js';
import { findSocketOption, parseOptionValue, type SocketOptionValues } from '../net/socket-options.js';
import { EofError, TimeoutError } from './errors.js';
import { type CustomMatch, type Matcher, matcher, type Pattern, type PatternKind } from './matchers.js';
import { ReceiveBuffer } from './receive-buffer.js';

/**
 * pwntools' tube over a Channel: send, receive exactly / until / a line, expect a pattern.
 * Receiving works on a buffer, so the outcome never depends on how the bytes were chunked; a
 * match consumes input up to its end and the rest stays for the next call. A timeout covers the
 * whole call (also the time spent queued behind another receive on the same tube); the errors
 * for a timeout or an EOF carry the bytes received so far, and those bytes stay buffered.
 */

/** Milliseconds, a duration (`'5s'`, `'500ms'`), or `Infinity` / `'forever'` to wait without limit. */
export type Timeout = number | string;

export interface CallOptions {
  /** Overrides the scoped default (see withTimeout) for this call. */
  timeout?: Timeout;
  /** Overrides the tube's encoding for this call's text and regex patterns. */
  encoding?: string;
}

export interface TubeOptions {
  /** Default timeout of every receive (default 10s, as a script's expect). */
  timeout?: Timeout;
  /** Encoding of text sent and of text and regex patterns (default utf8). */
  encoding?: string;
  /** What sendLine appends: `lf` (default), `crlf`, `none`, or any text or bytes. */
  eol?: 'lf' | 'crlf' | 'none' | string | Uint8Array;
  /**
   * Reading from the socket pauses while this many bytes wait unconsumed and no receive is
   * pending, so a flood fills the kernel's buffers (as in pwntools, which reads only on demand)
   * instead of memory. Default 16 MiB.
   */
  highWaterMark?: number;
}

/** The result of expect: a RegExpMatchArray-like array of strings, plus the bytes. */
export interface ExpectMatch extends ReadonlyArray<string | undefined> {
  readonly kind: PatternKind;
  /** Which of expectAny's patterns matched (0 for expect). */
  readonly which: number;
  /** Byte offset of the match in what was buffered: the length of `before`. */
  readonly index: number;
  readonly groups: Readonly<Record<string, string | undefined>> | undefined;
  /** Bytes received before the match, consumed with it. */
  readonly before: Buffer;
  /** The matched bytes. */
  readonly bytes: Buffer;
  readonly elapsedMs: number;
  /** What a custom pattern handed over with its match (the Frame of a frame pattern). */
  readonly data?: unknown;
}

export interface TubeInfo {
  id: number;
  proto: Protocol;
  local: Endpoint;
  remote: Endpoint;
  stats: Channel['stats'];
  readClosed: boolean;
  writeClosed: boolean;
  closed: boolean;
  /** Bytes received and not consumed yet. */
  buffered: number;
  /** Every socket option as the kernel reports it; undefined once the socket is closed. */
  options: SocketOptionValues | undefined;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_HIGH_WATER_MARK = 16 * 1024 * 1024;
const EOL = { lf: '\n', crlf: '\r\n', none: '' } as const;

/** Converts a Timeout to milliseconds (Infinity for no limit). */
export function timeoutMs(t: Timeout): number {
  if (typeof t === 'number') {
    if (Number.isNaN(t) || t < 0) throw new UsageError(`timeout: ${t} is not a duration`);
    return t;
  }
  if (/^(forever|inf(inity)?|none)$/i.test(t.trim())) return Number.POSITIVE_INFINITY;
  return parseDuration(t, 'timeout');
}

export class Tube {
  readonly channel: Channel;
  /** Received bytes not consumed yet. Exposed for the script runner's failure report and for unget. */
  readonly buffer = new ReceiveBuffer();
  private textEncoding: string;
  private defaultTimeout: number;
  private readonly eol: Uint8Array | string;
  private readonly highWaterMark: number;
  private readonly scope = new AsyncLocalStorage<number>();
  /** Receives run one at a time, in call order: those waiting their turn, and how many are pending. */
  private readonly queued: (() => void)[] = [];
  private calls = 0;
  private receiving = 0;
  private paused = false;
  /** The running receive's wait (receives run one at a time, so there is at most one). */
  private waker: (() => void) | undefined;
  private readonly matchers = new Map<string | RegExp, { encoding: string; matcher: Matcher }>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private closeReason: CloseReason | undefined;
  private closeError: NetError | undefined;
  private detached = false;
  /** Counts ungets, so a pending search knows to start over from the front. */
  private ungets = 0;
  private readonly listeners: {
    data: (chunk: Buffer) => void;
    end: () => void;
    close: (reason: CloseReason, error?: NetError) => void;
  };

  constructor(channel: Channel, options: TubeOptions = {}) {
    this.channel = channel;
    this.textEncoding = resolveEncoding(options.encoding ?? 'utf8');
    this.defaultTimeout = timeoutMs(options.timeout ?? DEFAULT_TIMEOUT_MS);
    const eol = options.eol ?? 'lf';
    this.eol = typeof eol === 'string' && eol in EOL ? EOL[eol as keyof typeof EOL] : eol;
    this.highWaterMark = options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
    this.listeners = {
      data: (chunk) => {
        this.buffer.append(chunk);
        if (this.receiving === 0 && this.buffer.length >= this.highWaterMark && !this.paused) {
          this.paused = true;
          this.channel.pause();
        }
        this.wake();
      },
      end: () => {
        this.buffer.markEnd();
        this.wake();
      },
      close: (reason, error) => {
        this.closeReason = reason;
        this.closeError = error;
        this.buffer.markEnd();
        this.wake();
      },
    };
    channel.on('data', this.listeners.data);
    channel.on('end', this.listeners.end);
    channel.on('close', this.listeners.close);
    if (channel.closed) this.listeners.close('local');
    else if (channel.readClosed) this.listeners.end();
  }

  // ---- settings ---------------------------------------------------------------------------

  /** Encoding of text sent and of text and regex patterns; an unknown name is a UsageError. */
  get encoding(): string {
    return this.textEncoding;
  }

  set encoding(name: string) {
    this.textEncoding = resolveEncoding(name);
  }

  /** The default timeout in milliseconds: the innermost withTimeout scope, else the tube's. */
  get timeout(): number {
    return this.scope.getStore() ?? this.defaultTimeout;
  }

  set timeout(t: Timeout) {
    this.defaultTimeout = timeoutMs(t);
  }

  /**
   * Runs `fn` with a different default timeout for every call made inside it (also across
   * awaits), like pwntools' `with tube.local(timeout=...)`; other concurrent work is unaffected.
   */
  withTimeout<T>(t: Timeout, fn: () => Promise<T> | T): Promise<T> {
    return Promise.resolve(this.scope.run(timeoutMs(t), fn));
  }

  // ---- sending ----------------------------------------------------------------------------

  /** Sends text (in the tube's encoding) or bytes; resolves once the kernel took them or Node's queue drained. */
  async send(data: string | Uint8Array, options: CallOptions = {}): Promise<void> {
    const bytes = typeof data === 'string' ? this.encode(data, options.encoding) : data;
    if (bytes.length === 0) return;
    if (this.channel.writeClosed) {
      throw new NetError(
        `send: the connection is ${this.channel.closed ? 'closed' : 'shut down for writing'}`,
        'EPIPE',
      );
    }
    if (this.channel.proto === 'udp') {
      // A datagram is handed to the kernel a tick later; resolving then means a close() right
      // after the send cannot drop it.
      await new Promise<void>((resolve) => this.channel.send(bytes, resolve));
      return;
    }
    if (this.channel.send(bytes)) return;
    await this.drained(options);
  }

  /** Sends the data followed by the end of line (`eol` option, default `\n`). */
  async sendLine(data: string | Uint8Array = '', options: CallOptions = {}): Promise<void> {
    const encoding = options.encoding ?? this.encoding;
    const body = typeof data === 'string' ? encodeText(data, encoding) : data;
    const eol = typeof this.eol === 'string' ? encodeText(this.eol, encoding) : this.eol;
    await this.send(Buffer.concat([body, eol]), options);
  }

  /** Text as bytes; UTF-8, every string's encoding unless told otherwise, skips the general path. */
  private encode(text: string, encoding = this.textEncoding): Buffer {
    return encoding === 'utf8' ? Buffer.from(text, 'utf8') : encodeText(text, encoding);
  }

  /** Waits for `pattern`, then sends (pwntools' sendafter). Returns what was received. */
  async sendAfter(pattern: Pattern, data: string | Uint8Array, options: CallOptions = {}): Promise<Buffer> {
    const got = await this.recvUntil(pattern, options);
    await this.send(data, options);
    return got;
  }

  async sendLineAfter(
    pattern: Pattern,
    data: string | Uint8Array,
    options: CallOptions = {},
  ): Promise<Buffer> {
    const got = await this.recvUntil(pattern, options);
    await this.sendLine(data, options);
    return got;
  }

  private drained(options: CallOptions): Promise<void> {
    const ms = options.timeout === undefined ? this.timeout : timeoutMs(options.timeout);
    return new Promise((resolve, reject) => {
      const done = (err?: Error) => {
        clearTimeout(timer);
        this.channel.off('drain', onDrain);
        this.channel.off('close', onClose);
        if (err) reject(err);
        else resolve();
      };
      const onDrain = () => done();
      const onClose = (_reason: CloseReason, error?: NetError) =>
        done(error ?? new NetError('send: the connection closed before the data was sent', 'EPIPE'));
      this.channel.on('drain', onDrain);
      this.channel.on('close', onClose);
      const timer =
        ms === Number.POSITIVE_INFINITY
          ? undefined
          : setTimeout(
              () =>
                done(
                  new NetError(
                    `send: still blocked after ${ms}ms: the peer is not reading (its receive window and our send buffer are full)`,
                    'ETIMEDOUT',
                  ),
                ),
              ms,
            );
    });
  }

  // ---- receiving --------------------------------------------------------------------------

  /** Up to `max` bytes: what is buffered, or the next bytes to arrive. */
  async recv(max = Number.POSITIVE_INFINITY, options: CallOptions = {}): Promise<Buffer> {
    return this.receive('some bytes', options, () =>
      this.buffer.length > 0 ? this.buffer.take(max) : undefined,
    );
  }

  /** Exactly `n` bytes (pwntools' recvn). */
  async recvExactly(n: number, options: CallOptions = {}): Promise<Buffer> {
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`recvExactly: ${n} is not a byte count`);
    return this.receive(`${n} byte${n === 1 ? '' : 's'}`, options, () =>
      this.buffer.length >= n ? this.buffer.take(n) : undefined,
    );
  }

  /** Everything up to and including the pattern (without it with `drop`). */
  async recvUntil(pattern: Pattern, options: CallOptions & { drop?: boolean } = {}): Promise<Buffer> {
    const m = await this.expect(pattern, options);
    return options.drop ? m.before : Buffer.concat([m.before, m.bytes]);
  }

  /** One line, up to and including `\n` (without the line end, `\r\n` or `\n`, when keepEnds is false). */
  async recvLine(options: CallOptions & { keepEnds?: boolean } = {}): Promise<Buffer> {
    const line = await this.recvUntil(Buffer.from('\n'), options);
    if (options.keepEnds !== false) return line;
    const cut = line.length >= 2 && line[line.length - 2] === 0x0d ? 2 : 1;
    return line.subarray(0, line.length - cut);
  }

  /** Everything until the peer closes (the timeout still applies). */
  async recvAll(options: CallOptions = {}): Promise<Buffer> {
    return this.receive('eof', options, () => (this.buffer.atEnd ? this.buffer.takeAll() : undefined));
  }

  /** Waits for one pattern; see expectAny. */
  expect(pattern: Pattern, options: CallOptions = {}): Promise<ExpectMatch> {
    return this.expectAny([pattern], options);
  }

  /**
   * Waits until one of the patterns matches. The match that starts earliest in the buffer wins
   * (ties: the first pattern listed), so the answer does not depend on chunking. `'eof'` matches
   * once the input ended cleanly (FIN, or our own close) and nothing else matched; it consumes
   * everything left. A reset is not an EOF: it fails the call with the connection's NetError.
   */
  expectAny(patterns: readonly Pattern[], options: CallOptions = {}): Promise<ExpectMatch> {
    // Not async: each async layer costs a script's expect/send loop extra promise ticks.
    const encoding = options.encoding ?? this.encoding;
    let matchers: Matcher[];
    try {
      if (patterns.length === 0) throw new UsageError('expect: no pattern given');
      matchers = [];
      for (const p of patterns) matchers.push(this.matcherFor(p, encoding));
    } catch (err) {
      return Promise.reject(err);
    }
    const expected = () =>
      matchers.length === 1
        ? matchers[0]!.description
        : `one of ${matchers.map((m) => m.description).join(', ')}`;
    const started = performance.now();
    return this.receive(
      expected,
      options,
      () => {
        let best: CustomMatch | undefined;
        let which = 0;
        for (let i = 0; i < matchers.length; i++) {
          const m = matchers[i]!;
          if (m.kind === 'eof' && this.closeError) continue;
          const found = m.find(this.buffer);
          if (found && (!best || found.start < best.start)) {
            best = found;
            which = i;
          }
        }
        if (!best) return undefined;
        const taken = this.buffer.take(best.end);
        return buildMatch(matchers[which]!, which, best, taken, encoding, performance.now() - started);
      },
      () => {
        for (const m of matchers) m.restart();
      },
    );
  }

  /**
   * The matcher of a text or regex pattern, made once per tube and encoding: a script's loop
   * expects the same few patterns thousands of times. Receives run one at a time and each starts
   * by restarting its matchers, so sharing one between calls is safe.
   */
  private matcherFor(pattern: Pattern, encoding: string): Matcher {
    if (typeof pattern !== 'string' && !(pattern instanceof RegExp)) return matcher(pattern, encoding);
    const known = this.matchers.get(pattern);
    if (known?.encoding === encoding) return known.matcher;
    const m = matcher(pattern, encoding);
    if (this.matchers.size >= 64) this.matchers.clear();
    this.matchers.set(pattern, { encoding, matcher: m });
    return m;
  }

  /** Puts bytes back in front of the buffer (pwntools' unget). */
  unget(data: Uint8Array): void {
    this.buffer.unget(data);
    this.ungets++;
    this.wake();
  }

  /** How many bytes are buffered and not consumed. */
  get buffered(): number {
    return this.buffer.length;
  }

  /**
   * The receive loop every call shares: queue behind earlier receives, then check the buffer on
   * every change until `check` gives a result, the deadline passes, or the input ends. Written
   * with callbacks rather than an async loop: a script's expect then costs one promise, settled
   * by the data event that completes the match.
   */
  private receive<T>(
    expected: string | (() => string),
    options: CallOptions,
    check: () => T | undefined,
    restart?: () => void,
  ): Promise<T> {
    const started = performance.now();
    const ms = options.timeout === undefined ? this.timeout : timeoutMs(options.timeout);
    const deadline = started + ms;
    const encoding = options.encoding ?? this.encoding;
    let resolve!: (value: T) => void;
    let reject!: (err: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    let ungets = 0;
    const finish = (err: unknown, result?: T): void => {
      this.waker = undefined;
      this.receiving--;
      this.calls--;
      // Between receives the timer must not keep the process alive.
      if (this.receiving === 0) this.timer?.unref();
      const next = this.queued.shift();
      if (next) queueMicrotask(next);
      if (err === undefined) resolve(result!);
      else {
        // Marked handled here: a caller may look at a failure later (or never).
        promise.catch(ignore);
        reject(err);
      }
    };
    const step = (): void => {
      let result: T | undefined;
      try {
        if (ungets !== this.ungets) {
          ungets = this.ungets;
          restart?.();
        }
        result = check();
        if (result === undefined) {
          const now = performance.now();
          const elapsedMs = now - started;
          if (this.buffer.atEnd) {
            if (this.closeError) throw this.closeError;
            throw new EofError({
              expected: typeof expected === 'string' ? expected : expected(),
              received: this.buffer.peek(),
              elapsedMs,
              how: this.endedHow(),
              encoding,
            });
          }
          if (deadline - now <= 0) {
            throw new TimeoutError({
              expected: typeof expected === 'string' ? expected : expected(),
              received: this.buffer.peek(),
              elapsedMs,
              timeoutMs: ms,
              encoding,
            });
          }
        }
      } catch (err) {
        finish(err);
        return;
      }
      if (result !== undefined) finish(undefined, result);
      else {
        // Woken on the next data, EOF, close or unget, or at the deadline (see armTimer).
        this.armTimer(deadline);
        this.waker = step;
      }
    };
    const start = (): void => {
      this.receiving++;
      if (this.paused) {
        this.paused = false;
        this.channel.resume();
      }
      ungets = this.ungets;
      // A matcher may have searched for an earlier call (see matcherFor).
      restart?.();
      step();
    };
    // Queued behind the receives still pending; with none, it starts at once.
    if (this.calls++ === 0) start();
    else this.queued.push(start);
    return promise;
  }

  private endedHow(): string {
    if (this.closeReason === 'local') return 'the connection was closed on this side';
    if (this.closeReason === 'timeout') return 'the connection was closed by the idle timeout';
    return 'the peer closed the connection (EOF)';
  }

  /**
   * One timer serves every wait: it is moved only when an earlier deadline needs it and is left
   * unreferenced between receives, since making and clearing a timer per wait cost a tenth of a
   * ping-pong's time. Waking early is harmless: the receive checks its own deadline.
   */
  private armTimer(deadline: number): void {
    if (deadline === Number.POSITIVE_INFINITY) return;
    if (this.timer && this.timerAt <= deadline) {
      this.timer.ref();
      return;
    }
    clearTimeout(this.timer);
    this.timerAt = deadline;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Number.POSITIVE_INFINITY;
        this.wake();
      },
      Math.max(0, Math.ceil(deadline - performance.now())),
    );
  }

  private wake(): void {
    const w = this.waker;
    if (!w) return;
    this.waker = undefined;
    w();
  }

  // ---- the connection ---------------------------------------------------------------------

  /** Graceful close (flushes; honours SO_LINGER). */
  async close(): Promise<void> {
    await this.channel.close();
  }

  /** Half-close: `write` sends FIN after queued data; `read` stops reading. */
  shutdown(how: 'write' | 'read' = 'write'): void {
    this.channel.shutdown(how);
  }

  /** Abortive close: RST. */
  reset(): void {
    this.channel.reset();
  }

  /** Sets a socket option by any of its names (`nodelay`, `SO_LINGER`), from a value or its text. */
  setOption(name: string, value: number | boolean | string): void {
    const spec = findSocketOption(name);
    const v = typeof value === 'string' ? parseOptionValue(spec, value) : value;
    this.channel.setOption(spec.name, v);
  }

  info(): TubeInfo {
    const c = this.channel;
    return {
      id: c.id,
      proto: c.proto,
      local: c.local,
      remote: c.remote,
      stats: { ...c.stats },
      readClosed: c.readClosed,
      writeClosed: c.writeClosed,
      closed: c.closed,
      buffered: this.buffer.length,
      options: c.closed || c.fd === undefined ? undefined : c.readOptions(),
    };
  }

  /** Stops listening to the channel; buffered bytes stay readable with buffer.takeAll(). */
  detach(): void {
    if (this.detached) return;
    this.detached = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.channel.off('data', this.listeners.data);
    this.channel.off('end', this.listeners.end);
    this.channel.off('close', this.listeners.close);
    if (this.paused) {
      this.paused = false;
      this.channel.resume();
    }
  }
}

function ignore(): void {}

/** `before` of a match at the front of the buffer: no bytes, so one empty buffer serves all. */
const NOTHING = Buffer.alloc(0);

/** One decoder for the usual encoding: decodeText looks the encoding up and makes one per call. */
const UTF8 = new TextDecoder('utf-8');

function buildMatch(
  m: Matcher,
  which: number,
  found: CustomMatch,
  taken: Buffer,
  encoding: string,
  elapsedMs: number,
): ExpectMatch {
  // A match at the front (the usual case) needs no views of what was taken.
  const before = found.start === 0 ? NOTHING : taken.subarray(0, found.start);
  const bytes = found.start === 0 ? taken : taken.subarray(found.start);
  const strings: (string | undefined)[] = found.exec
    ? [...found.exec]
    : found.values
      ? [...found.values]
      : [
          m.kind === 'bytes'
            ? bytes.toString('latin1')
            : encoding === 'utf8'
              ? UTF8.decode(bytes)
              : decodeText(bytes, encoding),
        ];
  // Set one by one rather than through Object.assign: no object made only to be copied.
  const match = strings as unknown as Record<string, unknown>;
  match.kind = m.kind;
  match.which = which;
  match.index = found.start;
  match.groups = found.exec?.groups;
  match.before = before;
  match.bytes = bytes;
  match.elapsedMs = elapsedMs;
  if (found.data !== undefined) match.data = found.data;
  return strings as unknown as ExpectMatch;
}
