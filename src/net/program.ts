/**
 * A local program as a peer (design section 6: programs are a transport like tcp): what to run,
 * and the handle a program channel offers beyond the Channel interface (its PID, exit status,
 * signals, the terminal's size). Knows no command-line words.
 */

/** Where the program's standard error goes: into `in` marked as stderr, into `in` unmarked, or to ours. */
export type StderrMode = 'mark' | 'merge' | 'inherit';

export interface PtySize {
  cols: number;
  rows: number;
}

export interface ProgramSpec {
  /** The program and its arguments: argv[0] is looked up on PATH unless it has a slash. */
  argv: readonly string[];
  /** Give it a pseudo-terminal of this size (node-pty) instead of pipes. */
  pty?: PtySize;
  /** Pipes only (a terminal has one output stream). Default `mark`. */
  stderr?: StderrMode;
  cwd?: string;
  /** The whole environment; ours when undefined. */
  env?: Record<string, string | undefined>;
  /** TERM for a pseudo-terminal; ours, or xterm-256color. */
  term?: string;
}

export interface ProgramExit {
  /** The exit code, or null when a signal ended it. */
  code: number | null;
  /** The signal's name (`SIGTERM`) when a signal ended it. */
  signal: string | null;
}

export interface ProgramControl {
  readonly pid: number;
  readonly argv: readonly string[];
  /** The terminal's size and name (`/dev/pts/3`), when it runs on a pseudo-terminal. */
  readonly pty: (PtySize & { tty: string }) | undefined;
  /** Undefined while it runs. */
  readonly exit: ProgramExit | undefined;
  /** Resolves when it has exited (before the channel's `close`). */
  readonly exited: Promise<ProgramExit>;
  /** Whether a received chunk came from standard error (stderr `mark`). */
  isStderr(chunk: Buffer): boolean;
  /** Sends a signal (`INT`, `SIGTERM`, `9`) to its process group. */
  signal(name: string): void;
  /** Resizes its terminal (SIGWINCH); a usage error without --pty. */
  resize(cols: number, rows: number): void;
}

/** `cat`, `sh -c 'a b'`: a command line for messages and status lines. */
export function describeArgv(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** `exited with code 0`, `killed by SIGTERM`. */
export function describeExit(exit: ProgramExit): string {
  return exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
}
