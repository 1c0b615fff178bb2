import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/sockrepl.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

/** A running `bin/sockrepl.js` with its output collected, and helpers to wait on it. */
export class CliProcess {
  readonly child: ChildProcessWithoutNullStreams;
  private out: Buffer[] = [];
  stderr = '';
  readonly exited: Promise<CliResult>;

  constructor(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string) {
    this.child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: 'pipe',
    });
    // A program that exits (or is killed) while we still write to it is not a test failure.
    this.child.stdin.on('error', () => {});
    this.child.stdout.on('data', (d: Buffer) => this.out.push(d));
    this.child.stderr.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) =>
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr }),
      );
    });
  }

  get stdout(): Buffer {
    return Buffer.concat(this.out);
  }

  /** Waits until standard error matches, or fails after `ms` with what it said so far. */
  async waitForStderr(pattern: RegExp, ms = 20_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = this.stderr.match(pattern);
      if (m) return m;
      if (Date.now() > deadline) throw new Error(`stderr never matched ${pattern}; it said: ${this.stderr}`);
      if (this.child.exitCode !== null)
        throw new Error(`exited (${this.child.exitCode}) before ${pattern}: ${this.stderr}`);
      await sleep(10);
    }
  }

  async waitForStdout(predicate: (out: Buffer) => boolean, ms = 20_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!predicate(this.stdout)) {
      if (Date.now() > deadline) throw new Error(`stdout never matched; got ${this.stdout.length} bytes`);
      await sleep(10);
    }
  }

  /** The port of a `-v` listener (`Listening on 0.0.0.0 41234`). */
  async listeningPort(): Promise<number> {
    const m = await this.waitForStderr(/Listening on \S+ (\d+)/);
    return Number(m[1]);
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

/** Runs the CLI to completion with the given standard input (closed afterwards). */
export async function runCli(
  args: string[],
  input: string | Buffer = '',
  timeoutMs = 20_000,
  env: NodeJS.ProcessEnv = {},
): Promise<CliResult> {
  const p = new CliProcess(args, env);
  p.child.stdin.end(input);
  const timer = setTimeout(() => p.kill(), timeoutMs);
  const result = await p.exited;
  clearTimeout(timer);
  return result;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
