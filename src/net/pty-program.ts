import { readSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { NetError, UsageError } from '../errors.js';
import { findProgram } from './find-program.js';
import { nativeSockets, nativeSocketsAvailable } from './native.js';
import type { ProgramSpec, PtySize } from './program.js';
import { ProgramChannelBase } from './program-channel-base.js';
import { signalName } from './signals.js';

/** The part of node-pty's IPty this channel uses (@lydell/node-pty: node-pty with prebuilt binaries). */
interface Pty {
  readonly pid: number;
  readonly fd?: number;
  readonly ptsName?: string;
  onData(listener: (data: Buffer | string) => void): void;
  onExit(listener: (e: { exitCode: number; signal?: number }) => void): void;
  write(data: string | Buffer): void;
  resize(cols: number, rows: number): void;
  pause(): void;
  resume(): void;
  kill(signal?: string): void;
}
type PtyModule = {
  spawn(file: string, args: string[], options: Record<string, unknown>): Pty;
};

/** The terminal's end-of-file character (VEOF, Ctrl-D): what a terminal "closing stdin" sends. */
const EOF_CHAR = Buffer.from([0x04]);

/**
 * A program on a pseudo-terminal (node-pty's forkpty: a new session with the terminal as its
 * controlling tty, so job control, Ctrl-C, `tty` and passwords read from /dev/tty work). The
 * terminal is left as the program sets it (sane: echo, line editing, signals), as on a real
 * terminal; its one output stream carries standard output and error alike. Bytes pass unchanged
 * both ways (node-pty without an encoding).
 */
export class PtyProgramChannel extends ProgramChannelBase {
  private size: PtySize;
  /** Ends node-pty's stream on the master, dropping what it holds (see readToTheEndBeforeDestroy). */
  private readonly destroyOutput: () => void;

  constructor(
    private readonly term: Pty,
    argv: readonly string[],
    size: PtySize,
  ) {
    super(term.pid, argv, 'SIGHUP');
    this.size = { ...size };
    const held = holdTerminal(term);
    let started = false;
    let exitedEarly: (() => void) | undefined;
    const pending: Buffer[] = [];
    // node-pty reads from the first moment; chunks wait here until the channel's first reader.
    const take = (chunk: Buffer) => {
      if (started) this.received(chunk);
      else pending.push(chunk);
    };
    term.onData((data) => take(typeof data === 'string' ? Buffer.from(data, 'utf8') : data));
    const socket = this.socket;
    this.destroyOutput = socket ? readToTheEndBeforeDestroy(socket, held, take) : () => {};
    const untyped = this as unknown as NodeJS.EventEmitter;
    const start = (event: string | symbol) => {
      if (event !== 'data') return;
      untyped.off('newListener', start);
      process.nextTick(() => {
        started = true;
        for (const c of pending.splice(0)) this.received(c);
        exitedEarly?.();
      });
    };
    untyped.on('newListener', start);
    this.socket?.on('drain', () => this.emit('drain'));
    // node-pty reports the exit once the terminal's output is read to its end.
    term.onExit(({ exitCode, signal }) => {
      held.release();
      this.reaped();
      const done = () => {
        this.outputDone();
        this.processExited(
          signal
            ? { code: null, signal: signalName(signal) ?? `signal ${signal}` }
            : { code: exitCode, signal: null },
        );
      };
      if (started) done();
      else exitedEarly = done;
    });
  }

  /** node-pty's own stream on the terminal's master side, for backpressure (write's return, drain). */
  private get socket(): Socket | undefined {
    const s = (this.term as unknown as { _socket?: Socket })._socket;
    return s && typeof s.write === 'function' ? s : undefined;
  }

  get pty(): PtySize & { tty: string } {
    return { ...this.size, tty: this.term.ptsName ?? '' };
  }

  protected write(data: Uint8Array, done: (err?: Error | null) => void): boolean {
    const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.length);
    const socket = this.socket;
    if (socket) return socket.write(buf, done);
    this.term.write(buf);
    process.nextTick(done);
    return true;
  }

  protected endInput(): void {
    this.write(EOF_CHAR, () => undefined);
  }

  protected stopOutput(): void {
    this.destroyOutput();
  }

  pause(): void {
    this.term.pause();
  }

  resume(): void {
    this.term.resume();
  }

  resize(cols: number, rows: number): void {
    if (
      !Number.isInteger(cols) ||
      !Number.isInteger(rows) ||
      cols < 1 ||
      rows < 1 ||
      cols > 9999 ||
      rows > 9999
    )
      throw new UsageError(`/resize: ${cols}x${rows} is not a terminal size (columns and rows, 1..9999)`);
    if (this.exit) throw new UsageError(`${this.argv[0]} (pid ${this.pid}) has exited already`);
    this.term.resize(cols, rows);
    this.size = { cols, rows };
  }
}

/**
 * Holds a second descriptor for the terminal's master side until the program has been reaped.
 * When a program closes its end of the terminal, node-pty reads EIO and closes the master at once,
 * and the last close of a master hangs the terminal up: a program still on its way out (it closed
 * its output but has not yet exited; on a busy machine, for milliseconds) is killed by that SIGHUP
 * and reported as killed. Held, the hang-up waits for the exit. Without the native calls nothing
 * is held and that race stays.
 */
function holdTerminal(term: Pty): { readonly fd: number | undefined; release(): void } {
  if (term.fd === undefined || !nativeSocketsAvailable()) return { fd: undefined, release() {} };
  const api = nativeSockets();
  let fd: number | undefined = api.dup(term.fd);
  return {
    get fd() {
      return fd;
    },
    release() {
      if (fd !== undefined) api.close(fd);
      fd = undefined;
    },
  };
}

/**
 * node-pty destroys its stream on the master 200 ms after the program's exit if it has not read
 * to the end by then (a busy machine; a reader that paused it), and a destroyed stream drops what
 * it had not delivered: the program's last output would be lost (node-pty issues 72 and 726).
 * Before that destroy this hands over, in order, what the stream holds and then what the kernel
 * still holds for the master, read from the descriptor holdTerminal keeps (non-blocking, as
 * node-pty's: the read ends at EAGAIN, or EIO once the terminal is empty and closed).
 */
function readToTheEndBeforeDestroy(
  socket: Socket,
  held: { readonly fd: number | undefined },
  take: (chunk: Buffer) => void,
): () => void {
  const destroy = socket.destroy;
  socket.destroy = function (this: Socket, ...args: Parameters<Socket['destroy']>) {
    // Once: streams call destroy() again on their way out, and by then the descriptor may be
    // released and its number another file's.
    socket.destroy = destroy;
    if (!socket.destroyed) {
      // read() emits 'data' for what it returns, which node-pty passes on to take().
      while (socket.readableLength > 0 && socket.read() !== null);
      for (const chunk of readWhatIsLeft(held.fd)) take(chunk);
    }
    return destroy.apply(this, args);
  };
  // What the channel itself calls when it stops reading: nothing more is wanted.
  return () => {
    destroy.call(socket);
  };
}

/**
 * More than a terminal buffers (64 KiB and the line discipline's 4 KiB): a program left behind
 * that keeps writing (`yes &`) must not keep this read going for ever; it is hung up next.
 */
const MOST_LEFT = 1 << 20;

function readWhatIsLeft(fd: number | undefined): Buffer[] {
  const chunks: Buffer[] = [];
  if (fd === undefined) return chunks;
  for (let total = 0; total < MOST_LEFT; ) {
    const buf = Buffer.allocUnsafe(65536);
    let n: number;
    try {
      n = readSync(fd, buf, 0, buf.length, null);
    } catch {
      return chunks; // EAGAIN: nothing more now; EIO: the terminal is closed and empty
    }
    if (n === 0) return chunks;
    chunks.push(buf.subarray(0, n));
    total += n;
  }
  return chunks;
}

let loaded: PtyModule | undefined;

/** node-pty, loaded only when a terminal is asked for (pipe mode and sockets never load it). */
function nodePty(): PtyModule {
  if (loaded) return loaded;
  try {
    loaded = createRequire(import.meta.url)('@lydell/node-pty') as PtyModule;
    return loaded;
  } catch (err) {
    throw new NetError(
      `--pty: node-pty could not be loaded (${(err as Error).message.split('\n')[0]}); reinstall sockrepl`,
      'ENOPTY',
      { cause: err },
    );
  }
}

/** Starts a program on a new pseudo-terminal of the spec's size. */
export async function spawnPtyProgram(spec: ProgramSpec & { pty: PtySize }): Promise<PtyProgramChannel> {
  const [name, ...args] = spec.argv;
  const file = findProgram(name ?? '', spec.env, spec.cwd);
  const env = { ...(spec.env ?? process.env) };
  const term = nodePty().spawn(file, args, {
    name: spec.term ?? env.TERM ?? 'xterm-256color',
    cols: spec.pty.cols,
    rows: spec.pty.rows,
    cwd: spec.cwd ?? process.cwd(),
    env,
    // Bytes, not text: node-pty then neither decodes what arrives nor encodes what is sent.
    encoding: null,
  });
  return new PtyProgramChannel(term, spec.argv, spec.pty);
}
