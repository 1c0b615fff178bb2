import { EventEmitter } from 'node:events';
import { UsageError } from '../errors.js';
import type { Channel, ChannelEventMap, ChannelStats, CloseReason, Endpoint } from './channel.js';
import { nextChannelId } from './ids.js';
import type { ProgramControl, ProgramExit, PtySize } from './program.js';
import { adopt, release, signalGroup, signalOrphans } from './program-reaper.js';
import { parseSignal } from './signals.js';
import type { SocketOptionValues } from './socket-options.js';

/** How long a program may take to end after its input closed before it is told to (close()). */
export const CLOSE_GRACE_MS = 2000;
/** How long after a polite signal before SIGKILL. */
export const KILL_GRACE_MS = 2000;

/**
 * What programs on pipes and on a pseudo-terminal share as channels: the counters, the order of
 * events (`end` when its output is over, the exit status, then `close` once it has exited and
 * every byte it wrote was delivered), closing with escalation (EOF, then a signal, then SIGKILL),
 * and the process-group bookkeeping that leaves no orphans.
 */
export abstract class ProgramChannelBase
  extends EventEmitter<ChannelEventMap>
  implements Channel, ProgramControl
{
  readonly id = nextChannelId();
  readonly proto = 'exec' as const;
  readonly stats: ChannelStats;
  readonly local: Endpoint;
  readonly remote: Endpoint;
  readonly exited: Promise<ProgramExit>;
  writeClosed = false;
  readClosed = false;
  closed = false;
  exit: ProgramExit | undefined;

  protected closing: CloseReason | undefined;
  private outputEnded = false;
  /** Its leader has been reaped: its PID is free, and its group is reached only as orphans. */
  private leaderReaped = false;
  private resolveExit!: (exit: ProgramExit) => void;
  private timers: NodeJS.Timeout[] = [];
  private readonly closedWaiters: (() => void)[] = [];

  constructor(
    readonly pid: number,
    readonly argv: readonly string[],
    /** The signal that asks it to stop: SIGHUP for a terminal (a hang-up), SIGTERM for pipes. */
    private readonly stopSignal: NodeJS.Signals,
  ) {
    super();
    const now = Date.now();
    this.stats = { bytesIn: 0, bytesOut: 0, chunksIn: 0, chunksOut: 0, openedAt: now, lastActivityAt: now };
    // A program has no address: the views show its name and PID where a socket shows host:port.
    this.remote = { address: argv[0] ?? '', port: pid, family: 'IPv4' };
    this.local = { address: 'pid', port: process.pid, family: 'IPv4' };
    this.exited = new Promise((resolve) => {
      this.resolveExit = resolve;
    });
    adopt(pid);
  }

  get program(): ProgramControl {
    return this;
  }

  get fd(): number | undefined {
    return undefined;
  }

  abstract get pty(): (PtySize & { tty: string }) | undefined;

  isStderr(_chunk: Buffer): boolean {
    return false;
  }

  /** Writes to its input; false when it is full ('drain' follows). */
  protected abstract write(data: Uint8Array, done: (err?: Error | null) => void): boolean;
  /** Ends its input (pipes: close stdin; terminal: EOF as typed). */
  protected abstract endInput(): void;
  /** Stops delivering what it writes; the bytes that come are dropped. */
  protected abstract stopOutput(): void;
  abstract pause(): void;
  abstract resume(): void;
  abstract resize(cols: number, rows: number): void;

  // ---- what the subclasses report --------------------------------------------------------------

  protected received(chunk: Buffer): void {
    if (this.readClosed) return;
    this.stats.bytesIn += chunk.length;
    this.stats.chunksIn++;
    this.stats.lastActivityAt = Date.now();
    this.emit('data', chunk);
  }

  /** Every output stream of it has ended (EOF). */
  protected outputDone(): void {
    if (this.outputEnded) return;
    this.outputEnded = true;
    if (!this.readClosed) {
      this.readClosed = true;
      this.emit('end');
    }
    this.maybeFinish();
  }

  /**
   * Its leader was reaped (reported at once, even where the exit status waits for the output to
   * be read): anything left in its group is an orphan to be, hung up now.
   */
  protected reaped(): void {
    if (this.leaderReaped) return;
    this.leaderReaped = true;
    release(this.pid);
    signalOrphans(this.pid, 'SIGHUP');
  }

  /** It exited: the status, in order after its output (see `reaped` for its group). */
  protected processExited(exit: ProgramExit): void {
    if (this.exit) return;
    this.exit = exit;
    this.writeClosed = true;
    this.resolveExit(exit);
    this.reaped();
    if (!this.outputEnded) {
      // A child that ignores SIGHUP and holds the output open is killed; then the output is closed.
      this.later(KILL_GRACE_MS, () => {
        this.signalOwnGroup('SIGKILL');
        this.later(KILL_GRACE_MS, () => {
          this.stopOutput();
          this.outputDone();
        });
      });
    }
    this.maybeFinish();
  }

  private maybeFinish(): void {
    if (!this.exit || !this.outputEnded || this.closed) return;
    this.closed = this.readClosed = this.writeClosed = true;
    for (const t of this.timers) clearTimeout(t);
    const reason = this.closing ?? 'eof';
    // After the exit status has been seen by whoever waits on `exited`.
    void this.exited.then(() => {
      this.emit('close', reason);
      for (const w of this.closedWaiters.splice(0)) w();
    });
  }

  /** Signals its group: the whole of it while its leader lives, after that only its orphans. */
  private signalOwnGroup(signal: NodeJS.Signals | number): boolean {
    return this.leaderReaped ? signalOrphans(this.pid, signal) : signalGroup(this.pid, signal);
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(fn, ms);
    t.unref();
    this.timers.push(t);
  }

  // ---- Channel ---------------------------------------------------------------------------------

  send(data: Uint8Array, written?: () => void): boolean {
    if (this.writeClosed) throw new Error(`connection ${this.id} (${this.argv[0]}) is closed for writing`);
    this.stats.bytesOut += data.length;
    this.stats.chunksOut++;
    this.stats.lastActivityAt = Date.now();
    const n = data.length;
    const ok = this.write(data, (err) => {
      if (err) this.stats.bytesOut -= n;
      written?.();
    });
    this.emit('sent', Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.length));
    return ok;
  }

  shutdown(how: 'write' | 'read'): void {
    if (how === 'write') {
      if (this.writeClosed) return;
      this.writeClosed = true;
      this.endInput();
    } else {
      this.readClosed = true;
    }
  }

  /**
   * Ends its input and waits for it to exit; one that goes on after CLOSE_GRACE_MS is asked to
   * stop (SIGHUP on a terminal, SIGTERM on pipes), and killed KILL_GRACE_MS later.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    // Closing what already exited by itself is no local close: its end stays `eof`.
    if (!this.exit) this.closing ??= 'local';
    if (!this.writeClosed) this.shutdown('write');
    if (!this.exit) {
      this.later(CLOSE_GRACE_MS, () => {
        this.signalOwnGroup(this.stopSignal);
        this.signalOwnGroup('SIGCONT');
        this.later(KILL_GRACE_MS, () => this.signalOwnGroup('SIGKILL'));
      });
    }
    await new Promise<void>((resolve) => this.closedWaiters.push(resolve));
  }

  /** The abortive close: the program is told to stop at once (its peer reset the connection). */
  reset(): void {
    if (this.closed || this.exit) return;
    this.closing ??= 'local';
    this.writeClosed = true;
    this.signalOwnGroup(this.stopSignal);
    this.signalOwnGroup('SIGCONT');
    this.later(KILL_GRACE_MS, () => this.signalOwnGroup('SIGKILL'));
  }

  signal(name: string): void {
    const sig = parseSignal(name);
    // Reaped comes before the exit status where that waits for the output (a terminal).
    if (this.leaderReaped) throw new UsageError(`${this.argv[0]} (pid ${this.pid}) has exited already`);
    // One that left its group (setsid) is still reached by its PID, which is its own until reaped.
    if (!signalGroup(this.pid, sig)) process.kill(this.pid, sig);
  }

  setOption(name: keyof SocketOptionValues): void {
    throw new UsageError(`${String(name)} is a socket option; connection ${this.id} is a program`);
  }

  readOptions(): SocketOptionValues {
    return {};
  }
}
