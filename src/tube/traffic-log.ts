import { closeSync, createWriteStream, openSync, type WriteStream } from 'node:fs';
import { TrafficDumper } from '../codec/traffic-dump.js';
import { UsageError } from '../errors.js';
import type { Channel, Endpoint } from '../net/channel.js';

/**
 * A tube's traffic log (pwntools' `context.log_level = 'debug'`): every chunk either way as the
 * CLI's `-x` dump prints it (`>` sent, `<` received, time, connection, length, then the hex
 * dump), plus a `#` line when a connection is logged and when it closes. One log may serve many
 * connections (a listener's clients): it counts them, and a file it opened itself is closed once
 * the last of them closed and its opener let go.
 */

/** Where a log goes: a file path (appended to), a Node stream (process.stderr), or a web WritableStream. */
export type TrafficLogTarget = string | NodeJS.WritableStream | WritableStream<Uint8Array>;

export class TrafficLog {
  private readonly dumper: TrafficDumper;
  private readonly write: (text: string) => void;
  private readonly file: WriteStream | undefined;
  /** Resolves once everything written so far has been handed on (a file: written to its fd). */
  private lastWrite: Promise<void> = Promise.resolve();
  /** The opener's hold plus one per attached connection still open. */
  private refs = 1;
  private ended: Promise<void> | undefined;

  private constructor(target: TrafficLogTarget, encoding: string | undefined) {
    this.dumper = new TrafficDumper({ encoding });
    if (typeof target === 'string') {
      // Opened now, so a bad path fails the call that named it (before any connecting), in one line.
      let fd: number;
      try {
        fd = openSync(target, 'a');
      } catch (err) {
        throw new UsageError(`log: cannot open ${target}: ${(err as NodeJS.ErrnoException).code ?? err}`);
      }
      try {
        this.file = createWriteStream(target, { fd });
      } catch (err) {
        closeSync(fd);
        throw err;
      }
      this.file.on('error', () => {}); // a full disk must not crash the program under test
      target = this.file;
    }
    this.write = toWriter(target, (p) => {
      this.lastWrite = p;
    });
  }

  /** Opens a log on a target; `release()` when no more connections will be attached. */
  static open(target: TrafficLogTarget, options: { encoding?: string } = {}): TrafficLog {
    if (target === null || (typeof target !== 'string' && typeof target !== 'object'))
      throw new UsageError('log: expected a file path, a writable stream or process.stderr');
    return new TrafficLog(target, options.encoding);
  }

  /**
   * Logs a connection's traffic until it closes. The promise resolves once the connection has
   * closed and its lines are written out (and the file closed, when this was the last user).
   */
  attach(channel: Channel): Promise<void> {
    if (this.ended) return this.ended;
    const conn = channel.id;
    if (channel.closed) return this.lastWrite;
    this.refs++;
    this.note(`conn=${conn} ${channel.proto} ${endpoint(channel.local)} -> ${endpoint(channel.remote)}`);
    const onData = (bytes: Buffer) => this.chunk('in', conn, bytes);
    const onSent = (bytes: Buffer) => this.chunk('out', conn, bytes);
    channel.on('data', onData);
    channel.on('sent', onSent);
    return new Promise((resolve) => {
      channel.once('close', (reason, error) => {
        channel.off('data', onData);
        channel.off('sent', onSent);
        this.dumper.forget(conn);
        this.note(`conn=${conn} closed (${reason}${error ? `: ${error.message}` : ''})`);
        resolve(this.release());
      });
    });
  }

  /** Lets go of one hold; the last one ends a file this log opened. Resolves when written out. */
  release(): Promise<void> {
    if (this.ended) return this.ended;
    if (--this.refs > 0) return this.lastWrite;
    const file = this.file;
    const written = this.lastWrite;
    this.ended = file
      ? written.then(() => new Promise<void>((resolve) => file.end(() => file.close(() => resolve()))))
      : written;
    return this.ended;
  }

  private chunk(dir: 'in' | 'out', conn: number, bytes: Uint8Array): void {
    if (this.ended) return;
    this.write(this.dumper.format({ dir, conn, time: new Date(), bytes }));
  }

  private note(text: string): void {
    if (!this.ended) this.write(`# ${new Date().toISOString()} ${text}\n`);
  }
}

function endpoint(e: Endpoint): string {
  if (e.family === 'unix') return e.address || '(unnamed)';
  return e.family === 'IPv6' ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

/** A function writing text in order, reporting each write's completion. */
function toWriter(
  target: NodeJS.WritableStream | WritableStream<Uint8Array>,
  written: (p: Promise<void>) => void,
): (text: string) => void {
  if ('getWriter' in target && typeof target.getWriter === 'function') {
    const writer = target.getWriter();
    const encoder = new TextEncoder();
    return (text) => written(writer.write(encoder.encode(text)).catch(() => undefined));
  }
  const stream = target as NodeJS.WritableStream;
  if (typeof stream.write !== 'function')
    throw new UsageError('log: expected a file path, a writable stream or process.stderr');
  // Each write's callback means it was flushed; writes complete in order, so the last one says it all.
  return (text) => written(new Promise((resolve) => stream.write(text, () => resolve())));
}
