import { closeSync, openSync, writeSync } from 'node:fs';
import { UsageError } from '../errors.js';
import type { Session } from '../session/session.js';
import type { SessionEvent } from '../session/session-events.js';
import type { SessionSpec } from '../session/session-spec.js';
import { VERSION } from '../version.js';
import { expectLines, hostWord, optionWords, sendLine } from './script-lines.js';

/**
 * Records a session as a script that `sockrepl run` replays (`--record <file>`, `/record <file>`).
 * A view like the others: it reads the session's events. It follows one connection (the one open
 * when recording starts, else the first to open): what was sent becomes `send`/`hex` lines, what
 * arrived becomes `expect` lines, written when the next thing happens on our side, so replies
 * stay in order. The file is written as it goes, so it is usable even if the program dies.
 *
 * Through `sockrepl proxy` the script takes the client's part against the upstream: what the
 * client sent is sent, what the upstream answered is expected.
 */

/** The upstream of a proxy session, as its spec gives it. */
interface Endpointish {
  host: string;
  port: number;
  options?: Parameters<typeof optionWords>[0];
}

/** Received bytes held before they are written out as expects anyway (a flood). */
const MAX_PENDING = 64 * 1024;
/** A reply slower than this gets an explicit timeout of twice its time. */
const SLOW_REPLY_MS = 4000;

export class Recorder {
  readonly file: string;
  private fd: number | undefined;
  private conn: number | undefined;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** When we last did something the peer answers (a send), for slow-reply timeouts. */
  private lastSendAt: number | undefined;
  private firstReplyAt: number | undefined;
  private encoding = 'utf8';
  private shutdownWritten = false;
  private writeSideSeen = false;
  private eofWritten = false;
  private others = new Set<number>();
  private lines = 0;
  /** Recording a proxy: the client's bytes (`in`) are what the script sends. */
  private readonly proxied: boolean;
  private readonly onEvent = (e: SessionEvent) => this.event(e);
  private readonly onExit = () => this.stop();

  constructor(
    private readonly session: Session,
    file: string,
    private readonly spec?: SessionSpec,
  ) {
    this.file = file;
    this.proxied = (session.mode as string) === 'proxy';
    try {
      this.fd = openSync(file, 'w');
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new UsageError(`record: cannot write ${file}: ${e.code ?? e.message}`, { cause: err });
    }
    this.write([
      `# recorded by sockrepl ${VERSION} on ${new Date().toISOString()}`,
      `# replay: sockrepl run ${file}`,
    ]);
    const open = session.openConns();
    const current = session.target === 'all' ? open[0] : session.conns.get(session.target);
    if (current && !current.closed) this.follow(current.id);
    session.on('event', this.onEvent);
    process.once('exit', this.onExit);
  }

  get active(): boolean {
    return this.fd !== undefined;
  }

  /** Lines written so far. */
  get lineCount(): number {
    return this.lines;
  }

  /** Writes what is pending and closes the file. Safe to call twice. */
  stop(): void {
    if (this.fd === undefined) return;
    this.flushReceived();
    this.session.off('event', this.onEvent);
    process.off('exit', this.onExit);
    closeSync(this.fd);
    this.fd = undefined;
  }

  private follow(conn: number): void {
    const c = this.session.conns.get(conn);
    if (!c) return;
    this.conn = conn;
    this.syncEncoding();
    const upstream = (this.spec as { upstream?: Endpointish } | undefined)?.upstream;
    const listening = this.session.mode === 'listen' || this.session.listening !== undefined;
    if (this.proxied && upstream) {
      this.write([
        `# through sockrepl proxy: the client's side of connection ${conn}, replayed against the upstream`,
        [
          `connect ${hostWord(upstream.host)} ${upstream.port}`,
          ...optionWords(upstream.options ?? {}, 'connect'),
        ].join(' '),
      ]);
    } else if (listening) this.write([this.listenLine()]);
    else {
      const words = optionWords(this.spec?.options ?? { udp: c.proto === 'udp' }, 'connect');
      const host = this.spec?.host ?? c.remote.address;
      this.write([[`connect ${hostWord(host)} ${c.remote.port}`, ...words].join(' ')]);
    }
    if (c.peerEof) {
      this.write(['expect eof']);
      this.eofWritten = true;
    }
  }

  private listenLine(): string {
    const at = this.session.listening;
    const host = this.spec?.host;
    const port = at?.port ?? this.spec?.port ?? 0;
    const words = optionWords(this.spec?.options ?? { udp: this.session.proto === 'udp' }, 'listen');
    return [`listen${host ? ` ${hostWord(host)}` : ''} ${port}`, ...words].join(' ');
  }

  private event(e: SessionEvent): void {
    if (this.fd === undefined) return;
    if (e.type === 'open' && this.conn === undefined) {
      this.follow(e.conn);
      return;
    }
    if (!('conn' in e) || e.conn === undefined) return;
    if (e.conn !== this.conn) {
      if (e.type === 'open' && !this.others.has(e.conn)) {
        this.others.add(e.conn);
        this.write([`# connection ${e.conn} (from ${e.remote.address}:${e.remote.port}) is not recorded`]);
      }
      return;
    }
    this.noteShutdown();
    switch (e.type) {
      case 'data':
        if ((e.dir === 'in') !== this.proxied) this.received(e.bytes);
        else this.sent(e.bytes);
        return;
      case 'eof':
        this.flushReceived();
        if (this.proxied) this.shutdownOnce();
        else if (!this.eofWritten) this.write(['expect eof']);
        this.eofWritten = true;
        return;
      case 'close':
        this.flushReceived();
        if (this.proxied) {
          if (!this.shutdownWritten) this.write(['close']);
        } else if (e.reason === 'local') this.write(['close']);
        else if (e.reason === 'eof' && !this.eofWritten) this.write(['expect eof']);
        else if (e.reason === 'reset') this.write(['# the peer reset the connection (RST) here']);
        else if (e.reason === 'timeout') this.write(['# the idle timeout closed the connection here']);
        else if (e.reason === 'error') this.write([`# the connection failed here: ${e.message ?? 'error'}`]);
        this.stop();
        return;
      default:
    }
  }

  private received(bytes: Buffer): void {
    if (this.pendingBytes === 0) this.firstReplyAt = performance.now();
    this.pending.push(Buffer.from(bytes));
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= MAX_PENDING) this.flushReceived();
  }

  private sent(bytes: Buffer): void {
    this.flushReceived();
    this.syncEncoding();
    this.write([sendLine(bytes, this.encoding)]);
    this.lastSendAt = performance.now();
  }

  private flushReceived(): void {
    if (this.pendingBytes === 0) return;
    const bytes = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.syncEncoding();
    const waited =
      this.lastSendAt !== undefined && this.firstReplyAt !== undefined
        ? this.firstReplyAt - this.lastSendAt
        : 0;
    const timeout = waited > SLOW_REPLY_MS ? Math.ceil((2 * waited) / 1000) * 1000 : undefined;
    this.write(expectLines(bytes, this.encoding, timeout));
    this.lastSendAt = undefined;
  }

  /** `/shutdown write` leaves no event: it shows as the channel's write side being closed. */
  private noteShutdown(): void {
    if (this.writeSideSeen || this.conn === undefined) return;
    const c = this.session.conns.get(this.conn);
    if (c?.channel.writeClosed && !c.channel.closed) {
      this.writeSideSeen = true;
      this.flushReceived();
      // Through a proxy our write side to the client closes when the upstream finished.
      if (this.proxied) this.write(['expect eof']);
      else this.shutdownOnce();
    }
  }

  private shutdownOnce(): void {
    if (this.shutdownWritten) return;
    this.write(['shutdown write']);
    this.shutdownWritten = true;
  }

  /** Text lines are written in the session's encoding: say so whenever it changes. */
  private syncEncoding(): void {
    const now = this.session.settings.encoding;
    if (now === this.encoding) return;
    this.encoding = now;
    this.write([`enc ${now}`]);
  }

  private write(lines: readonly string[]): void {
    if (this.fd === undefined || lines.length === 0) return;
    writeSync(this.fd, `${lines.join('\n')}\n`);
    this.lines += lines.length;
  }
}

// ---- one recording per session, started by --record or /record --------------------------------

const recordings = new WeakMap<Session, Recorder>();
const specs = new WeakMap<Session, SessionSpec>();

/** Remembers how the session was opened (for `/record`'s connect line) and honours `--record`. */
export function prepareRecording(session: Session, spec: SessionSpec): void {
  specs.set(session, spec);
  if (spec.options.record) startRecording(session, spec.options.record);
}

export function startRecording(session: Session, file: string): Recorder {
  const running = recordings.get(session);
  if (running?.active)
    throw new UsageError(`record: already recording to ${running.file} (/record stop first)`);
  const recorder = new Recorder(session, file, specs.get(session));
  recordings.set(session, recorder);
  return recorder;
}

/** Stops the session's recording; undefined when none is running. */
export function stopRecording(session: Session): Recorder | undefined {
  const running = recordings.get(session);
  if (!running?.active) return undefined;
  running.stop();
  return running;
}

export function currentRecording(session: Session): Recorder | undefined {
  const running = recordings.get(session);
  return running?.active ? running : undefined;
}
