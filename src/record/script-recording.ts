import { closeSync, openSync, writeSync } from 'node:fs';
import { UsageError } from '../errors.js';
import type { CloseReason } from '../net/channel.js';
import { VERSION } from '../version.js';
import { expectLines, sendLine } from './script-lines.js';

/**
 * A recording being written: what happened on one connection, told by an adapter (a session
 * view, or a channel in pipe mode), turned into script lines. Received bytes are held until
 * something happens on our side, so each reply becomes expects in the order the script needs
 * them. The file is written as it goes, so it is usable even if the program dies.
 */

/** Received bytes held before they are written out as expects anyway (a flood). */
const MAX_PENDING = 64 * 1024;
/** A reply slower than this gets an explicit timeout of twice its time. */
const SLOW_REPLY_MS = 4000;

export class ScriptRecording {
  readonly file: string;
  private fd: number | undefined;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** When we last sent (what the peer answers), for slow-reply timeouts. */
  private lastSendAt: number | undefined;
  private firstReplyAt: number | undefined;
  private encoding = 'utf8';
  private eofWritten = false;
  private shutdownWritten = false;
  private lines = 0;
  private readonly onExit = () => this.stop();

  /**
   * Opens (truncates) the file; a path that cannot be written is a UsageError. A write that fails
   * later (a full disk) ends the recording, never the session: `onFail` is told once.
   */
  constructor(
    file: string,
    private readonly onFail: (message: string) => void = () => {},
  ) {
    this.file = file;
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
    process.once('exit', this.onExit);
  }

  get active(): boolean {
    return this.fd !== undefined;
  }

  get lineCount(): number {
    return this.lines;
  }

  /** Lines as they are (the connect or listen line, comments). */
  line(...lines: string[]): void {
    this.write(lines);
  }

  /** A command of ours at this point (`starttls`): after the expects of what arrived before it. */
  command(line: string): void {
    this.flushReceived();
    this.write([line]);
  }

  /** Text lines are written in this encoding from now on: says so in the script when it changes. */
  setEncoding(encoding: string): void {
    if (encoding === this.encoding) return;
    this.flushReceived();
    this.encoding = encoding;
    this.write([`enc ${encoding}`]);
  }

  sent(bytes: Uint8Array): void {
    this.flushReceived();
    this.write([sendLine(bytes, this.encoding)]);
    this.lastSendAt = performance.now();
  }

  received(bytes: Uint8Array): void {
    if (this.pendingBytes === 0) this.firstReplyAt = performance.now();
    this.pending.push(Buffer.from(bytes));
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= MAX_PENDING) this.flushReceived();
  }

  /** The peer finished sending (FIN). */
  peerEof(): void {
    this.flushReceived();
    if (!this.eofWritten) this.write(['expect eof']);
    this.eofWritten = true;
  }

  /** We finished sending (FIN) and go on reading. */
  shutdown(): void {
    this.flushReceived();
    if (!this.shutdownWritten) this.write(['shutdown write']);
    this.shutdownWritten = true;
  }

  get shutdownDone(): boolean {
    return this.shutdownWritten;
  }

  /** The connection is over; says how, and finishes the file. */
  closed(reason: CloseReason, message?: string): void {
    this.flushReceived();
    if (reason === 'local') this.write(['close']);
    else if (reason === 'eof' && !this.eofWritten) this.write(['expect eof']);
    else if (reason === 'reset') this.write(['# the peer reset the connection (RST) here']);
    else if (reason === 'timeout') this.write(['# the idle timeout closed the connection here']);
    else if (reason === 'error') this.write([`# the connection failed here: ${message ?? 'error'}`]);
    this.stop();
  }

  /** Writes what is pending and closes the file. Safe to call twice. */
  stop(): void {
    if (this.fd === undefined) return;
    this.flushReceived();
    this.drop();
  }

  private drop(): void {
    if (this.fd === undefined) return;
    process.off('exit', this.onExit);
    const fd = this.fd;
    this.fd = undefined;
    try {
      closeSync(fd);
    } catch {
      // Closing a file that failed may fail too; the recording is over either way.
    }
  }

  private flushReceived(): void {
    if (this.pendingBytes === 0) return;
    const bytes = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    const waited =
      this.lastSendAt !== undefined && this.firstReplyAt !== undefined
        ? this.firstReplyAt - this.lastSendAt
        : 0;
    const timeout = waited > SLOW_REPLY_MS ? Math.ceil((2 * waited) / 1000) * 1000 : undefined;
    this.write(expectLines(bytes, this.encoding, timeout));
    this.lastSendAt = undefined;
  }

  private write(lines: readonly string[]): void {
    if (this.fd === undefined || lines.length === 0) return;
    try {
      writeSync(this.fd, `${lines.join('\n')}\n`);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      this.pending = [];
      this.pendingBytes = 0;
      this.drop();
      this.onFail(`record: ${this.file}: ${e.code ?? e.message}: the recording stops here`);
      return;
    }
    this.lines += lines.length;
  }
}
