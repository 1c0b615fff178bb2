import { UsageError } from '../errors.js';
import type { ProgramSpec, PtySize, StderrMode } from '../net/program.js';
import type { ConnectionOptions } from '../options/connection-options.js';

/** A terminal's size when none is given: ours when there is one, else the classic 80x24. */
export function defaultPtySize(ownTerminal: boolean): PtySize {
  const { columns, rows } = process.stdout;
  return ownTerminal && columns > 0 && rows > 0 ? { cols: columns, rows } : { cols: 80, rows: 24 };
}

/**
 * The program to run from the options: `sockrepl exec`'s own (its terminal defaults to ours), or
 * -e/-c's for each connection (a remote client's terminal: 80x24 unless --pty-size).
 */
export function programSpec(
  argv: readonly string[],
  o: ConnectionOptions,
  stderr: StderrMode | undefined,
  ownTerminal: boolean,
): ProgramSpec {
  return {
    argv,
    pty: o.pty ? (o.ptySize ?? defaultPtySize(ownTerminal)) : undefined,
    stderr: o.stderr ?? stderr,
  };
}

/** The -e/-c program of a connect or listen, or undefined. */
export function servedProgram(o: ConnectionOptions): ProgramSpec | undefined {
  // ncat -e: the program's standard error stays on the listener's terminal unless asked.
  return o.exec ? programSpec(o.exec.argv, o, 'inherit', false) : undefined;
}

/** The options that shape a program, refused where no program is run. */
export function checkProgramOptions(o: ConnectionOptions, program: boolean, command: string): void {
  if (program) {
    if (o.pty && o.stderr && o.stderr !== 'merge')
      throw new UsageError(`--stderr ${o.stderr}: a terminal has one output stream (--pty merges stderr)`);
    if (o.ptySize && !o.pty) throw new UsageError('--pty-size: give --pty too');
    return;
  }
  for (const [set, what] of [
    [o.pty, '--pty'],
    [o.ptySize, '--pty-size'],
    [o.stderr, '--stderr'],
  ] as const) {
    if (set)
      throw new UsageError(`${what} shapes a program: ${command} needs -e <cmd> or -c <shell command> too`);
  }
}
