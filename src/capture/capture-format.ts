/**
 * The two file formats a capture can be written in, behind one face. Classic pcap (libpcap 2.4,
 * microsecond timestamps, Ethernet link type) is what every tool reads; pcapng adds one interface
 * per connection and comments (the command line, what each connection is, fault events). The file
 * name picks: `*.pcapng` is pcapng, anything else classic pcap, as tcpdump and tshark users expect.
 */

export const LINKTYPE_ETHERNET = 1;
/** Large enough for the biggest synthesized frame (14 + 40 + 20 + 65495 bytes). */
export const SNAPLEN = 262144;

export interface RecordSpec {
  /** Which interface (pcapng; classic pcap has one). */
  iface: number;
  /** Microseconds since the epoch. */
  timeUs: number;
  /** Bytes of the frame (headers and payload). */
  length: number;
  comment?: string;
}

export interface CaptureFormat {
  readonly name: 'pcap' | 'pcapng';
  /** What starts the file. */
  fileHeader(comment: string): Uint8Array;
  /** A new interface (one per connection): pcapng writes a block, classic pcap nothing. */
  interfaceBlock(name: string, description: string): Uint8Array | undefined;
  /** Bytes before a frame's bytes. */
  recordHead(spec: RecordSpec): Uint8Array;
  /** Bytes after a frame's bytes (pcapng padding, options, trailing length). */
  recordTail(spec: RecordSpec): Uint8Array | undefined;
  /** A comment on its own, between packets (pcapng: a custom-free comment block is not standard,
   * so it is carried by the next packet instead); classic pcap cannot carry comments. */
  readonly comments: boolean;
}

export function formatFor(path: string): CaptureFormat {
  return /\.pcapng$/i.test(path) ? PCAPNG : PCAP;
}

export const PCAP: CaptureFormat = {
  name: 'pcap',
  comments: false,
  fileHeader() {
    const b = Buffer.alloc(24);
    b.writeUInt32LE(0xa1b2c3d4, 0);
    b.writeUInt16LE(2, 4);
    b.writeUInt16LE(4, 6);
    b.writeInt32LE(0, 8); // thiszone
    b.writeUInt32LE(0, 12); // sigfigs
    b.writeUInt32LE(SNAPLEN, 16);
    b.writeUInt32LE(LINKTYPE_ETHERNET, 20);
    return b;
  },
  interfaceBlock: () => undefined,
  recordHead(spec) {
    const b = Buffer.alloc(16);
    const seconds = Math.floor(spec.timeUs / 1e6);
    b.writeUInt32LE(seconds >>> 0, 0);
    b.writeUInt32LE(spec.timeUs - seconds * 1e6, 4);
    b.writeUInt32LE(spec.length, 8);
    b.writeUInt32LE(spec.length, 12);
    return b;
  },
  recordTail: () => undefined,
};

const pad4 = (n: number) => (4 - (n % 4)) % 4;

/** pcapng options: code, length, value padded to 4 bytes; then opt_endofopt. */
function options(list: Array<[code: number, value: Uint8Array]>): Buffer {
  if (list.length === 0) return Buffer.alloc(0);
  const parts: Buffer[] = [];
  for (const [code, value] of list) {
    const head = Buffer.alloc(4);
    head.writeUInt16LE(code, 0);
    head.writeUInt16LE(value.length, 2);
    parts.push(head, Buffer.from(value), Buffer.alloc(pad4(value.length)));
  }
  parts.push(Buffer.alloc(4));
  return Buffer.concat(parts);
}

/** A whole block: type, total length, body, options, total length. */
function block(type: number, body: Uint8Array, opts: Buffer): Buffer {
  const total = 12 + body.length + opts.length;
  const b = Buffer.alloc(total);
  b.writeUInt32LE(type, 0);
  b.writeUInt32LE(total, 4);
  b.set(body, 8);
  b.set(opts, 8 + body.length);
  b.writeUInt32LE(total, total - 4);
  return b;
}

/** Option values are UTF-8 and at most 65535 bytes. */
const text = (s: string) => Buffer.from(s, 'utf8').subarray(0, 65535);

export const PCAPNG: CaptureFormat = {
  name: 'pcapng',
  comments: true,
  fileHeader(comment) {
    const body = Buffer.alloc(16);
    body.writeUInt32LE(0x1a2b3c4d, 0);
    body.writeUInt16LE(1, 4);
    body.writeUInt16LE(0, 6);
    body.writeBigInt64LE(-1n, 8); // section length unknown
    // opt_comment (1), shb_userappl (4)
    return block(
      0x0a0d0d0a,
      body,
      options([
        [1, text(comment)],
        [4, text('sockrepl')],
      ]),
    );
  },
  interfaceBlock(name, description) {
    const body = Buffer.alloc(8);
    body.writeUInt16LE(LINKTYPE_ETHERNET, 0);
    body.writeUInt32LE(SNAPLEN, 4);
    // if_name (2), if_description (3); if_tsresol defaults to microseconds.
    return block(
      1,
      body,
      options([
        [2, text(name)],
        [3, text(description)],
      ]),
    );
  },
  recordHead(spec) {
    const opts = spec.comment ? options([[1, text(spec.comment)]]) : Buffer.alloc(0);
    const total = 32 + spec.length + pad4(spec.length) + opts.length;
    const b = Buffer.alloc(28);
    b.writeUInt32LE(6, 0);
    b.writeUInt32LE(total, 4);
    b.writeUInt32LE(spec.iface, 8);
    b.writeUInt32LE(Math.floor(spec.timeUs / 2 ** 32), 12);
    b.writeUInt32LE(spec.timeUs % 2 ** 32, 16);
    b.writeUInt32LE(spec.length, 20);
    b.writeUInt32LE(spec.length, 24);
    return b;
  },
  recordTail(spec) {
    const opts = spec.comment ? options([[1, text(spec.comment)]]) : Buffer.alloc(0);
    const padding = pad4(spec.length);
    const total = 32 + spec.length + padding + opts.length;
    const b = Buffer.alloc(padding + opts.length + 4);
    b.set(opts, padding);
    b.writeUInt32LE(total, b.length - 4);
    return b;
  },
};
