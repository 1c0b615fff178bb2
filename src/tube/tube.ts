// A little longer than 400 lines: pwntools' one public class, its methods a few lines each that delegate.
import { AsyncLocalStorage } from 'node:async_hooks';
import { encodeText, resolveEncoding } from '../codec/text.js';
import { NetError, UsageError } from '../errors.js';
import type { Channel, CloseReason } from '../net/channel.js';
import { findSocketOption, parseOptionValue } from '../net/socket-options.js';
import type { TlsInfo } from '../net/tls/tls-info.js';
import type { TlsOptions } from '../net/tls/tls-options.js';
import { waitForDrain } from '../net/wait-for-drain.js';
import { buildMatch, type ExpectMatch } from './expect-match.js';
import { type InteractiveOptions, lendInteractive } from './interactive.js';
import { MatcherCache } from './matcher-cache.js';
import type { CustomMatch, Matcher, Pattern } from './matchers.js';
import { ReceiveBuffer } from './receive-buffer.js';
import { ReceiveLoop } from './receive-loop.js';
import { isQuiet, receiveRepeat } from './receive-repeat.js';
import { type Timeout, timeoutMs } from './timeout.js';
import { tubeInfo } from './tube-info.js';
import type { CallOptions, TubeInfo, TubeOptions } from './tube-options.js';

export type { ExpectMatch } from './expect-match.js';
export type { InteractiveOptions } from './interactive.js';
export { type Timeout, timeoutMs } from './timeout.js';
export type { CallOptions, TubeInfo, TubeOptions } from './tube-options.js';

/**
 * pwntools' tube over a Channel: send, receive exactly / until / a line, expect a pattern.
 * Receiving works on a buffer, so the outcome never depends on how the bytes were chunked; a
 * match consumes input up to its end and the rest stays for the next call. A timeout covers the
 * whole call (also the time spent queued behind another receive on the same tube); the errors
 * for a timeout or an EOF carry the bytes received so far, and those bytes stay buffered.
 */

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_HIGH_WATER_MARK = 16 * 1024 * 1024;
const EOL = { lf: '\n', crlf: '\r\n', none: '' } as const;

export class Tube {
  readonly channel: Channel;
  /** Received bytes not consumed yet. Exposed for the script runner's failure report and for unget. */
  readonly buffer: ReceiveBuffer;
  private textEncoding: string;
  private defaultTimeout: number;
  private readonly eol: Uint8Array | string;
  private readonly highWaterMark: number;
  private readonly scope = new AsyncLocalStorage<number>();
  private paused = false;
  private readonly matchers = new MatcherCache();
  private closeReason: CloseReason | undefined;
  /** Set when the input ended by a reset or failure: receives fail with it. */
  closeError: NetError | undefined;
  private detached = false;
  /** What close() waits for after the channel's close: the traffic log written out (the `log` option). */
  afterClose: Promise<void> | undefined;
  private readonly loop: ReceiveLoop;
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
    this.buffer = new ReceiveBuffer({ limit: options.bufferLimit });
    this.loop = new ReceiveLoop({
      buffer: this.buffer,
      get closeError() {
        return tube.closeError;
      },
      endedHow: () => this.endedHow(),
      receiving: () => {
        if (!this.paused) return;
        this.paused = false;
        this.channel.resume();
      },
    });
    const tube = this;
    this.listeners = {
      data: (chunk) => {
        this.buffer.append(chunk);
        if (!this.loop.busy && this.buffer.length >= this.highWaterMark && !this.paused) {
          this.paused = true;
          this.channel.pause();
        }
        this.loop.wake();
      },
      end: () => {
        this.buffer.markEnd();
        this.loop.wake();
      },
      close: (reason, error) => {
        this.closeReason = reason;
        this.closeError = error;
        this.buffer.markEnd();
        this.loop.wake();
      },
    };
    this.detached = true;
    this.attach();
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
    return waitForDrain(this.channel, { timeoutMs: ms, signal: options.signal });
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
      for (const p of patterns) matchers.push(this.matchers.get(p, encoding));
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

  /** pwntools' can_recv: bytes are buffered or arrive within `timeout` (default 0). Consumes nothing. */
  async canRecv(timeout: Timeout = 0): Promise<boolean> {
    const got = this.receive('some bytes', { timeout }, () => (this.buffer.length > 0 ? true : undefined));
    return got.catch((err) => (isQuiet(err) ? false : Promise.reject(err)));
  }

  /**
   * pwntools' recvrepeat: everything that arrives until `timeout` (the tube's default) has passed
   * or the input ends; never a TimeoutError. On a reset the bytes stay buffered and it rethrows.
   */
  async recvRepeat(timeout: Timeout = this.timeout): Promise<Buffer> {
    const recv = (ms: number) => this.recv(Number.POSITIVE_INFINITY, { timeout: ms });
    return receiveRepeat(recv, (b) => this.unget(b), timeoutMs(timeout));
  }

  /** pwntools' clean: drops what is buffered and what arrives within `timeout` (default 0); returns it. */
  clean(timeout: Timeout = 0): Promise<Buffer> {
    return this.recvRepeat(timeout);
  }

  /** Puts bytes back in front of the buffer (pwntools' unget). */
  unget(data: Uint8Array): void {
    this.buffer.unget(data);
    this.loop.moved();
  }

  /** How many bytes are buffered and not consumed. */
  get buffered(): number {
    return this.buffer.length;
  }

  /** Runs a receive on the shared loop with this call's timeout, encoding and signal. */
  private receive<T>(
    expected: string | (() => string),
    options: CallOptions,
    check: () => T | undefined,
    restart?: () => void,
  ): Promise<T> {
    let ms: number;
    try {
      ms = options.timeout === undefined ? this.timeout : timeoutMs(options.timeout);
    } catch (err) {
      return Promise.reject(err);
    }
    const call = {
      expected,
      timeoutMs: ms,
      encoding: options.encoding ?? this.encoding,
      signal: options.signal,
    };
    return this.loop.run(call, check, restart);
  }

  private endedHow(): string {
    if (this.closeReason === 'local') return 'the connection was closed on this side';
    if (this.closeReason === 'timeout') return 'the connection was closed by the idle timeout';
    return 'the peer closed the connection (EOF)';
  }

  // ---- the connection ---------------------------------------------------------------------

  /** Graceful close (flushes; honours SO_LINGER). */
  async close(): Promise<void> {
    await this.channel.close();
    await this.afterClose;
  }

  /** `await using c = await connect(...)` closes the connection when the block ends. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
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

  /**
   * STARTTLS: upgrades the open plaintext connection to TLS in place, after the protocol's own
   * negotiation (SMTP STARTTLS, PostgreSQL SSLRequest) was done with send/expect. Bytes buffered
   * before it stay readable; everything after it is the decrypted stream.
   */
  async startTls(options: Partial<TlsOptions> = {}): Promise<TlsInfo> {
    if (!this.channel.startTls)
      throw new UsageError(`startTls: a ${this.channel.proto} connection cannot carry TLS`);
    return this.channel.startTls(options);
  }

  info(): TubeInfo {
    return tubeInfo(this.channel, this.buffer.length);
  }

  /**
   * pwntools' interactive(): hands the connection to the person at the keyboard (the screen on a
   * terminal, else stdin to it and it to stdout; bytes received and not consumed first), and
   * resolves once they quit or the peer closed. The tube reads again afterwards.
   */
  interactive(options: InteractiveOptions = {}): Promise<void> {
    return lendInteractive(this, options);
  }

  /** Listens to the channel (again, after detach()). */
  attach(): void {
    if (!this.detached) return;
    this.detached = false;
    const { channel, listeners } = this;
    channel.on('data', listeners.data);
    channel.on('end', listeners.end);
    channel.on('close', listeners.close);
    // A close seen before a detach keeps its reason.
    if (channel.closed) {
      if (this.closeReason === undefined) listeners.close('local');
    } else if (channel.readClosed) listeners.end();
  }

  /** Stops listening to the channel; buffered bytes stay readable with buffer.takeAll(). */
  detach(): void {
    if (this.detached) return;
    this.detached = true;
    this.loop.stop();
    this.channel.off('data', this.listeners.data);
    this.channel.off('end', this.listeners.end);
    this.channel.off('close', this.listeners.close);
    if (this.paused) {
      this.paused = false;
      this.channel.resume();
    }
  }
}
