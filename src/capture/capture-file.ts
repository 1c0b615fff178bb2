import { closeSync, constants, fstatSync, openSync, writevSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { type CaptureFormat, formatFor, PCAP, PCAPNG } from './capture-format.js';
import type { Packet } from './conversation.js';
import { headerBytes, writeHeaders } from './packet.js';

/**
 * A capture file being written. Every packet goes to the file at once, in one writev(2): nothing
 * is held in memory, so nothing is lost when the process is killed, and packets written by a relay
 * worker to the same file (relay-tap.ts, opened for appending) never interleave with ours.
 */
export class CaptureFile {
  readonly format: CaptureFormat;
  private fd: number | undefined;
  private interfaces = 0;
  /** Set when a write failed: capturing stops, once, with this message. */
  failure: string | undefined;
  packets = 0;

  constructor(
    readonly path: string,
    comment: string | undefined,
    private readonly onFailure: (message: string) => void = () => {},
    shared?: { fd: number; format: 'pcap' | 'pcapng' },
  ) {
    this.format = formatFor(path);
    if (shared) {
      // Another thread's view of a file that is open and begun (a relay worker's, relay-tap.ts).
      this.format = shared.format === 'pcapng' ? PCAPNG : PCAP;
      this.fd = shared.fd;
      return;
    }
    try {
      this.fd = openSync(
        path,
        constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_APPEND,
      );
    } catch (err) {
      throw new UsageError(`--pcap ${path}: ${(err as Error).message}`);
    }
    this.put([this.format.fileHeader(comment ?? '')]);
    // pcapng: one interface from the start, so that a file with no connection in it still opens
    // (tcpdump refuses a section without any); connections get interfaces of their own.
    this.addInterface('sockrepl', 'the session (each connection is an interface of its own)');
  }

  /** Writes packets to a file another CaptureFile opened and began, by its descriptor. */
  static onDescriptor(
    fd: number,
    path: string,
    format: 'pcap' | 'pcapng',
    onFailure: (message: string) => void,
  ): CaptureFile {
    return new CaptureFile(path, undefined, onFailure, { fd, format });
  }

  /** The descriptor, for a relay worker writing packets of its own; undefined once closed or failed. */
  get descriptor(): number | undefined {
    return this.failure ? undefined : this.fd;
  }

  /** A regular file: writes of whole records from several threads stay whole (not a pipe or FIFO). */
  get sharable(): boolean {
    return this.fd !== undefined && fstatSync(this.fd).isFile();
  }

  /** Declares an interface (pcapng; one per connection): its number for write(). */
  addInterface(name: string, description: string): number {
    const block = this.format.interfaceBlock(name, description);
    if (!block) return 0;
    this.put([block]);
    return this.interfaces++;
  }

  write(packets: Packet[], iface: number): void {
    for (const p of packets) {
      const proto = p.tcp ? 'tcp' : 'udp';
      const frameHead = headerBytes(p.ends.v6, proto);
      const spec = { iface, timeUs: p.timeUs, length: frameHead + p.payload.length, comment: p.comment };
      const recordHead = this.format.recordHead(spec);
      const head = Buffer.allocUnsafe(recordHead.length + frameHead);
      head.set(recordHead, 0);
      writeHeaders(head, recordHead.length, p.ends, p.payload, p.tcp);
      const tail = this.format.recordTail(spec);
      this.put(tail ? [head, p.payload, tail] : [head, p.payload]);
      this.packets++;
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }

  private put(parts: Uint8Array[]): void {
    if (this.fd === undefined || this.failure) return;
    try {
      const total = parts.reduce((n, p) => n + p.length, 0);
      let done = writevSync(this.fd, parts);
      // A short write (a full disk, a pipe) continues where it stopped.
      while (done < total) done += writevSync(this.fd, rest(parts, done));
    } catch (err) {
      this.failure = `--pcap ${this.path}: ${(err as Error).message}; capture stopped`;
      this.onFailure(this.failure);
    }
  }
}

function rest(parts: Uint8Array[], skip: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let left = skip;
  for (const p of parts) {
    if (left >= p.length) left -= p.length;
    else {
      out.push(p.subarray(left));
      left = 0;
    }
  }
  return out;
}
