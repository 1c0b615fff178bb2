import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { NetError, UsageError } from '../errors.js';
import { findProgram } from './find-program.js';
import type { ProgramExit, ProgramSpec, PtySize } from './program.js';
import { ProgramChannelBase } from './program-channel-base.js';
import { adopt, release, signalOrphans } from './program-reaper.js';

/**
 * A program on pipes as a channel: what is sent is its standard input, its standard output is
 * what arrives, and its standard error as the spec says (`mark`: arrives too, each chunk known as
 * stderr; `merge`: arrives as output; `inherit`: goes to sockrepl's own standard error). It leads
 * a process group of its own, so a signal or a hang-up reaches everything it started.
 */
export class PipeProgramChannel extends ProgramChannelBase {
  private readonly child: ChildProcess;
  private readonly stderrChunks = new WeakSet<Buffer>();
  private readonly outputs: Readable[];
  private ended = 0;
  private userPaused = false;

  constructor(child: ChildProcess, argv: readonly string[], stderr: 'mark' | 'merge' | 'inherit') {
    super(child.pid!, argv, 'SIGTERM');
    this.child = child;
    const stdout = child.stdout!;
    stdout.on('data', (chunk: Buffer) => this.received(chunk));
    this.outputs = [stdout];
    if (stderr !== 'inherit' && child.stderr) {
      const err = child.stderr;
      err.on('data', (chunk: Buffer) => {
        if (stderr === 'mark') this.stderrChunks.add(chunk);
        this.received(chunk);
      });
      this.outputs.push(err);
    }
    // Reading starts with the first 'data' listener, as on a socket: nothing is lost in between.
    for (const o of this.outputs) {
      o.pause();
      o.once('close', () => this.streamEnded());
    }
    const untyped = this as unknown as NodeJS.EventEmitter;
    const start = (event: string | symbol) => {
      if (event !== 'data') return;
      untyped.off('newListener', start);
      process.nextTick(() => {
        if (!this.userPaused) for (const o of this.outputs) o.resume();
      });
    };
    untyped.on('newListener', start);
    const stdin = child.stdin!;
    stdin.on('drain', () => this.emit('drain'));
    // EPIPE: it no longer reads its input (it closed it, or exited). What was queued is lost,
    // which the write callback counts; the output side goes on.
    stdin.on('error', () => {
      this.writeClosed = true;
    });
    child.on('exit', (code, signal) => this.processExited({ code, signal }));
  }

  get pty(): (PtySize & { tty: string }) | undefined {
    return undefined;
  }

  override isStderr(chunk: Buffer): boolean {
    return this.stderrChunks.has(chunk);
  }

  private streamEnded(): void {
    if (++this.ended === this.outputs.length) this.outputDone();
  }

  protected write(data: Uint8Array, done: (err?: Error | null) => void): boolean {
    return this.child.stdin!.write(data, done);
  }

  protected endInput(): void {
    this.child.stdin!.end();
  }

  protected stopOutput(): void {
    for (const o of this.outputs) o.destroy();
  }

  pause(): void {
    this.userPaused = true;
    for (const o of this.outputs) o.pause();
  }

  resume(): void {
    this.userPaused = false;
    for (const o of this.outputs) o.resume();
  }

  resize(): void {
    throw new UsageError(`connection ${this.id} (${this.argv[0]}) has no terminal; start it with --pty`);
  }
}

/** Starts a program on pipes; rejects with one line when it cannot be started. */
export async function spawnPipeProgram(spec: ProgramSpec): Promise<PipeProgramChannel> {
  const [name, ...args] = spec.argv;
  const file = findProgram(name ?? '', spec.env, spec.cwd);
  const stderr = spec.stderr ?? 'mark';
  const child = spawn(file, args, {
    argv0: name,
    cwd: spec.cwd,
    env: spec.env ?? process.env,
    stdio: ['pipe', 'pipe', stderr === 'inherit' ? 'inherit' : 'pipe'],
    // Its own process group (setsid): signals and hang-ups reach its children too.
    detached: true,
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new NetError(`exec ${name}: ${err.code ?? 'EIO'}: ${err.message}`, err.code ?? 'EIO', { cause: err }),
      ),
    );
  });
  return new PipeProgramChannel(child, spec.argv, stderr);
}

/**
 * Runs a program on this process's own standard input and output (and standard error, or its
 * output for `merge`), for when nothing in sockrepl needs to see the bytes: they never pass through
 * JavaScript. Its process group is adopted like any other; resolves with its exit.
 */
export async function runOnOwnStdio(
  spec: ProgramSpec,
  started: (pid: number) => void = () => {},
): Promise<ProgramExit> {
  const [name, ...args] = spec.argv;
  const file = findProgram(name ?? '', spec.env, spec.cwd);
  const child = spawn(file, args, {
    argv0: name,
    cwd: spec.cwd,
    env: spec.env ?? process.env,
    stdio: [0, 1, spec.stderr === 'merge' ? 1 : 2],
    detached: true,
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new NetError(`exec ${name}: ${err.code ?? 'EIO'}: ${err.message}`, err.code ?? 'EIO', { cause: err }),
      ),
    );
  });
  const pid = child.pid!;
  adopt(pid);
  started(pid);
  const exit = await new Promise<ProgramExit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  // What it left in its group would be an orphan.
  release(pid);
  signalOrphans(pid, 'SIGHUP');
  return exit;
}
