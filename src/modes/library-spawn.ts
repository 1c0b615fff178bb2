import { UsageError } from '../errors.js';
import { openProgram } from '../net/open.js';
import type { ProgramControl, ProgramExit, PtySize, StderrMode } from '../net/program.js';
import { parsePtySize } from '../options/program-rows.js';
import { Tube, type TubeOptions } from '../tube/tube.js';
import { type LogOptions, track, withLog } from './library.js';
import { openLibraryLog } from './library-log.js';

/** How spawn() runs the program. */
export interface SpawnOptions extends TubeOptions, LogOptions {
  /** A pseudo-terminal instead of pipes (node-pty): job control, Ctrl-C, /dev/tty. */
  pty?: boolean;
  /** The terminal's size, `{ cols, rows }` or `'120x40'` (default 80x24); implies nothing without `pty`. */
  size?: PtySize | string;
  cwd?: string;
  /** The whole environment of the program (default: this process's). */
  env?: Record<string, string | undefined>;
  /** Pipes only: `merge` (default) puts its standard error into what is received, `mark` too but each chunk known as stderr, `inherit` leaves it on ours. */
  stderr?: StderrMode;
}

/**
 * A program's tube: the same tube as a connection's (send, recvUntil, expect...), plus its exit.
 * `close()` ends its input and waits for it (a signal after a grace period); `wait()` only waits.
 */
export class ProgramTube extends Tube {
  get program(): ProgramControl {
    return this.channel.program!;
  }

  get pid(): number {
    return this.program.pid;
  }

  /** Its exit code; null while it runs, or when a signal ended it. */
  get exitCode(): number | null {
    return this.program.exit?.code ?? null;
  }

  /** The signal that ended it (`'SIGTERM'`); null while it runs or when it exited by itself. */
  get signal(): string | null {
    return this.program.exit?.signal ?? null;
  }

  /** Resolves when it has exited, with its code or signal. */
  wait(): Promise<ProgramExit> {
    return this.program.exited;
  }

  /** Sends it a signal (`'INT'`, `'SIGTERM'`, 9). */
  kill(signal: string | number = 'TERM'): void {
    this.program.signal(String(signal));
  }

  /** Resizes its terminal (pty only). */
  resize(cols: number, rows: number): void {
    this.program.resize(cols, rows);
  }
}

/**
 * Starts `cmd` (looked up on PATH) with `args` as a tube, as pwntools' process() does: a local
 * binary can be tested with the very script that later tests the remote service.
 */
export async function spawn(
  cmd: string,
  args: readonly string[] = [],
  options: SpawnOptions = {},
): Promise<ProgramTube> {
  if (!Array.isArray(args)) throw new UsageError('spawn(cmd, args, options): args is a list of strings');
  const size = typeof options.size === 'string' ? parsePtySize(options.size, 'size') : options.size;
  if (options.pty && options.stderr && options.stderr !== 'merge')
    throw new UsageError(`stderr: '${options.stderr}': a terminal has one output stream`);
  const log = openLibraryLog(options.log, options.encoding);
  const channel = await openProgram({
    argv: [cmd, ...args.map(String)],
    pty: options.pty ? (size ?? { cols: 80, rows: 24 }) : undefined,
    stderr: options.stderr ?? 'merge',
    cwd: options.cwd,
    env: options.env,
  }).catch(async (err: unknown) => {
    await log?.release();
    throw err;
  });
  const tubeOptions: TubeOptions = {};
  for (const key of ['timeout', 'encoding', 'eol', 'highWaterMark'] as const)
    if (options[key] !== undefined) (tubeOptions as Record<string, unknown>)[key] = options[key];
  return track(withLog(new ProgramTube(channel, tubeOptions), log));
}
