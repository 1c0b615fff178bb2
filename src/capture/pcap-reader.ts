/**
 * Reads capture files as tcpdump and Wireshark write them: classic pcap (either byte order,
 * microsecond or nanosecond timestamps) and pcapng (sections of either byte order, interfaces with
 * their own link types and timestamp resolutions; enhanced, simple and obsolete packet blocks).
 * Pure: bytes in, frames out. A file that ends in the middle of a record keeps what came before and
 * says so in `truncated`; anything else malformed is a CaptureFormatError naming the offset.
 */

export interface CapturedFrame {
  /** Position in the file, from 0. */
  index: number;
  /** Microseconds since the epoch (0 when the format records none: pcapng simple packets). */
  timeUs: number;
  linkType: number;
  data: Uint8Array;
  /** The length on the wire, which may exceed data.length when the capture was cut short. */
  originalLength: number;
}

export interface CaptureContents {
  format: 'pcap' | 'pcapng';
  frames: CapturedFrame[];
  truncated: boolean;
}

export class CaptureFormatError extends Error {}

const CLASSIC_MAGIC = { micro: 0xa1b2c3d4, nano: 0xa1b23c4d } as const;
const SHB = 0x0a0d0d0a;

export function readCapture(bytes: Uint8Array): CaptureContents {
  if (bytes.length < 4) throw new CaptureFormatError('not a capture file: too short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) === SHB) return readPcapng(bytes, view);
  const le = view.getUint32(0, true);
  const be = view.getUint32(0, false);
  for (const [magic, little] of [
    [le, true],
    [be, false],
  ] as const) {
    if (magic === CLASSIC_MAGIC.micro || magic === CLASSIC_MAGIC.nano) {
      return readClassic(bytes, view, little, magic === CLASSIC_MAGIC.nano);
    }
  }
  throw new CaptureFormatError('not a pcap or pcapng file (unknown magic number)');
}

function readClassic(bytes: Uint8Array, view: DataView, le: boolean, nano: boolean): CaptureContents {
  if (bytes.length < 24) return { format: 'pcap', frames: [], truncated: true };
  const linkType = view.getUint32(20, le) & 0xffff;
  const frames: CapturedFrame[] = [];
  let at = 24;
  while (at + 16 <= bytes.length) {
    const seconds = view.getUint32(at, le);
    const fraction = view.getUint32(at + 4, le);
    const caplen = view.getUint32(at + 8, le);
    const length = view.getUint32(at + 12, le);
    if (caplen > 0x4000000)
      throw new CaptureFormatError(`record at byte ${at}: length ${caplen} is not believable`);
    if (at + 16 + caplen > bytes.length) return { format: 'pcap', frames, truncated: true };
    frames.push({
      index: frames.length,
      timeUs: seconds * 1e6 + (nano ? Math.floor(fraction / 1000) : fraction),
      linkType,
      data: bytes.subarray(at + 16, at + 16 + caplen),
      originalLength: length,
    });
    at += 16 + caplen;
  }
  return { format: 'pcap', frames, truncated: at !== bytes.length };
}

interface Interface {
  linkType: number;
  /** Ticks per second of this interface's timestamps. */
  ticks: number;
  snaplen: number;
}

function readPcapng(bytes: Uint8Array, view: DataView): CaptureContents {
  const frames: CapturedFrame[] = [];
  let interfaces: Interface[] = [];
  let le = true;
  let at = 0;
  while (at + 12 <= bytes.length) {
    let type = view.getUint32(at, le);
    if (view.getUint32(at, true) === SHB) {
      type = SHB;
      // The byte-order magic decides how this section, this block's length included, is read.
      if (at + 12 > bytes.length) break;
      const magic = view.getUint32(at + 8, true);
      if (magic === 0x1a2b3c4d) le = true;
      else if (magic === 0x4d3c2b1a) le = false;
      else throw new CaptureFormatError(`section at byte ${at}: bad byte-order magic`);
      interfaces = [];
    }
    const total = view.getUint32(at + 4, le);
    if (total < 12 || total % 4 !== 0)
      throw new CaptureFormatError(`block at byte ${at}: bad length ${total}`);
    if (at + total > bytes.length) return { format: 'pcapng', frames, truncated: true };
    const body = at + 8;
    const end = at + total - 4;
    if (type === 1) {
      if (end - body < 8) throw new CaptureFormatError(`interface block at byte ${at}: too short`);
      interfaces.push({
        linkType: view.getUint16(body, le),
        snaplen: view.getUint32(body + 4, le),
        ticks: tsresol(bytes, view, body + 8, end, le),
      });
    } else if (type === 6 || type === 2) {
      if (end - body < 20) throw new CaptureFormatError(`packet block at byte ${at}: too short`);
      const id = type === 6 ? view.getUint32(body, le) : view.getUint16(body, le);
      const iface = interfaces[id];
      if (!iface) throw new CaptureFormatError(`packet block at byte ${at}: no interface ${id}`);
      const ts = view.getUint32(body + 4, le) * 2 ** 32 + view.getUint32(body + 8, le);
      const caplen = view.getUint32(body + 12, le);
      if (body + 20 + caplen > end)
        throw new CaptureFormatError(`packet block at byte ${at}: data overruns it`);
      frames.push({
        index: frames.length,
        timeUs: Math.floor((ts * 1e6) / iface.ticks),
        linkType: iface.linkType,
        data: bytes.subarray(body + 20, body + 20 + caplen),
        originalLength: view.getUint32(body + 16, le),
      });
    } else if (type === 3) {
      const iface = interfaces[0];
      if (!iface) throw new CaptureFormatError(`simple packet block at byte ${at}: no interface`);
      const length = view.getUint32(body, le);
      const caplen = Math.min(length, end - body - 4, iface.snaplen || Number.MAX_SAFE_INTEGER);
      frames.push({
        index: frames.length,
        timeUs: 0,
        linkType: iface.linkType,
        data: bytes.subarray(body + 4, body + 4 + caplen),
        originalLength: length,
      });
    }
    at += total;
  }
  return { format: 'pcapng', frames, truncated: at !== bytes.length };
}

/** The if_tsresol option (code 9) of an interface block: ticks per second; microseconds by default. */
function tsresol(bytes: Uint8Array, view: DataView, from: number, end: number, le: boolean): number {
  let at = from;
  while (at + 4 <= end) {
    const code = view.getUint16(at, le);
    const length = view.getUint16(at + 2, le);
    if (code === 0) break;
    if (code === 9 && length >= 1 && at + 4 < end) {
      const v = bytes[at + 4]!;
      return v & 0x80 ? 2 ** (v & 0x7f) : 10 ** v;
    }
    at += 4 + length + ((4 - (length % 4)) % 4);
  }
  return 1e6;
}
