import { fstatSync } from 'node:fs';
import { Socket, type SocketConstructorOpts } from 'node:net';
import type { Readable } from 'node:stream';
import { nativeSockets } from '../net/native.js';
import type { Pausable } from './pump.js';

/** Kernel buffer asked for a standard input pipe (Linux allows 1 MiB without privilege). */
const PIPE_SIZE = 1024 * 1024;
/**
 * Read size for standard input when it is a pipe or socket: a whole grown pipe per read. Measured
 * (2 GiB, client role, interleaved with nc): 64 KiB reads 2.07 s, 256 KiB 1.73 s, 1 MiB 1.52 s.
 */
const READ_SIZE = PIPE_SIZE;

/**
 * Standard input for pipe mode. When it is a pipe or a socket, reads go into buffers from a small
 * free list instead of a fresh 64 KiB allocation per read; a chunk's buffer returns to the list when
 * its consumer calls `done` (once every socket write of it has completed). Files and terminals are
 * read through Node's own stream.
 */
export class PipeInput implements Pausable {
  private readonly stream: Readable;
  private readonly free: Buffer[] = [];
  /** Reads go straight to descriptor 0 (a pipe or socket): they can stop between two reads. */
  readonly ownsDescriptor: boolean;
  private handedOver = false;

  constructor(stdin: Readable, onChunk: (chunk: Buffer, done: () => void) => void, onEnd: () => void) {
    this.ownsDescriptor = stdin === process.stdin && isPipeOrSocket(0);
    if (this.ownsDescriptor) {
      // A 64 KiB pipe hands over at most 64 KiB per read; a larger one lets each read fill the
      // buffer below, a quarter of the reads and socket writes for the same bytes. Only once a
      // read shows a full pipe: a few bytes (`echo hi |`) load no native library for it.
      let grown = !fstatSync(0).isFIFO();
      this.stream = new Socket({
        fd: 0,
        readable: true,
        writable: false,
        onread: {
          buffer: () => this.free.pop() ?? Buffer.allocUnsafe(READ_SIZE),
          callback: (n: number, buf: Uint8Array) => {
            if (!grown && n >= DEFAULT_PIPE_SIZE) grown = growPipe(0);
            const owner = buf as Buffer;
            onChunk(owner.subarray(0, n), () => this.free.push(owner));
            return true;
          },
        },
      } as SocketConstructorOpts);
    } else {
      this.stream = stdin;
      stdin.on('data', (chunk: Buffer) => onChunk(chunk, () => {}));
    }
    this.stream.on('end', onEnd);
    this.stream.on('error', onEnd);
  }

  pause(): void {
    this.stream.pause();
  }

  resume(): void {
    if (!this.handedOver) this.stream.resume();
  }

  /**
   * Stops reading for good, so that a relay worker can read descriptor 0 from here on (only when
   * `ownsDescriptor`: a pipe or socket read by this object, which stops between two reads).
   */
  handOver(): void {
    if (!this.ownsDescriptor) throw new Error('standard input is read through a stream that reads ahead');
    this.handedOver = true;
    this.stream.pause();
  }

  /** Stops reading so standard input no longer keeps the process alive. */
  close(): void {
    this.stream.removeAllListeners('end');
    this.stream.pause();
    if (this.stream !== process.stdin || !process.stdin.isTTY) this.stream.destroy();
  }
}

/** What a pipe holds unless grown (Linux): a read that size means the writer is ahead of us. */
const DEFAULT_PIPE_SIZE = 64 * 1024;

function growPipe(fd: number): true {
  try {
    nativeSockets().setPipeSize(fd, PIPE_SIZE);
  } catch {
    // Without koffi the pipe keeps its size: slower, not wrong.
  }
  return true;
}

function isPipeOrSocket(fd: number): boolean {
  try {
    const st = fstatSync(fd);
    return st.isFIFO() || st.isSocket();
  } catch {
    return false;
  }
}
