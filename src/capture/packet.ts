import { finishChecksum, sumWords } from './checksum.js';

/**
 * Synthesized frames: Ethernet II + IPv4 or IPv6 + TCP or UDP headers in front of the bytes the
 * application saw, with valid lengths and checksums, so Wireshark and tcpdump decode them as the
 * real thing. Only headers are built here; the payload stays where it is (the caller writes the
 * header and then the payload), but it is summed for the transport checksum.
 */

export const ETHERNET_BYTES = 14;
export const TCP_HEADER_BYTES = 20;
export const UDP_HEADER_BYTES = 8;
/** The most payload one synthesized segment carries: IPv4's 16-bit total length less 40 bytes. */
export const MAX_SEGMENT_PAYLOAD = 65535 - 20 - TCP_HEADER_BYTES;
/** The most payload one UDP datagram carries over IPv4 (IPv6 allows 20 more; we keep one limit). */
export const MAX_DATAGRAM_PAYLOAD = 65535 - 20 - UDP_HEADER_BYTES;

export const TCP = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

/** One direction of a conversation: who sends to whom. */
export interface PacketEnds {
  v6: boolean;
  srcAddr: Uint8Array;
  dstAddr: Uint8Array;
  srcPort: number;
  dstPort: number;
  srcMac: Uint8Array;
  dstMac: Uint8Array;
}

export interface TcpFields {
  seq: number;
  ack: number;
  flags: number;
  window?: number;
}

/** Bytes of the headers in front of a payload. */
export function headerBytes(v6: boolean, proto: 'tcp' | 'udp'): number {
  return ETHERNET_BYTES + (v6 ? 40 : 20) + (proto === 'tcp' ? TCP_HEADER_BYTES : UDP_HEADER_BYTES);
}

/** Reversed: the ends of the answer. */
export function reversed(ends: PacketEnds): PacketEnds {
  return {
    v6: ends.v6,
    srcAddr: ends.dstAddr,
    dstAddr: ends.srcAddr,
    srcPort: ends.dstPort,
    dstPort: ends.srcPort,
    srcMac: ends.dstMac,
    dstMac: ends.srcMac,
  };
}

let ipId = 0;

/**
 * Writes Ethernet + IP + TCP (`tcp` given) or UDP headers for `payload` into `out` at `at`
 * (out must have headerBytes() room there); returns the header length.
 */
export function writeHeaders(
  out: Uint8Array,
  at: number,
  ends: PacketEnds,
  payload: Uint8Array,
  tcp?: TcpFields,
): number {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const l4Bytes = (tcp ? TCP_HEADER_BYTES : UDP_HEADER_BYTES) + payload.length;
  out.set(ends.dstMac, at);
  out.set(ends.srcMac, at + 6);
  view.setUint16(at + 12, ends.v6 ? 0x86dd : 0x0800);
  let p = at + ETHERNET_BYTES;
  const proto = tcp ? 6 : 17;
  if (ends.v6) {
    view.setUint32(p, 0x60000000);
    view.setUint16(p + 4, l4Bytes);
    out[p + 6] = proto;
    out[p + 7] = 64;
    out.set(ends.srcAddr, p + 8);
    out.set(ends.dstAddr, p + 24);
    p += 40;
  } else {
    out[p] = 0x45;
    out[p + 1] = 0;
    view.setUint16(p + 2, 20 + l4Bytes);
    ipId = (ipId + 1) & 0xffff;
    view.setUint16(p + 4, ipId);
    view.setUint16(p + 6, 0x4000); // don't fragment
    out[p + 8] = 64;
    out[p + 9] = proto;
    view.setUint16(p + 10, 0);
    out.set(ends.srcAddr, p + 12);
    out.set(ends.dstAddr, p + 16);
    view.setUint16(p + 10, finishChecksum(sumWords(out, 0, p, p + 20)));
    p += 20;
  }
  const l4 = p;
  view.setUint16(l4, ends.srcPort);
  view.setUint16(l4 + 2, ends.dstPort);
  if (tcp) {
    view.setUint32(l4 + 4, tcp.seq >>> 0);
    view.setUint32(l4 + 8, tcp.flags & TCP.ACK ? tcp.ack >>> 0 : 0);
    out[l4 + 12] = (TCP_HEADER_BYTES / 4) << 4;
    out[l4 + 13] = tcp.flags;
    view.setUint16(l4 + 14, tcp.window ?? 65535);
    view.setUint32(l4 + 16, 0); // checksum, urgent pointer
  } else {
    view.setUint16(l4 + 4, l4Bytes);
    view.setUint16(l4 + 6, 0);
  }
  const l4Header = tcp ? TCP_HEADER_BYTES : UDP_HEADER_BYTES;
  // Pseudo-header: addresses, protocol, length; then the transport header and the payload.
  let sum = sumWords(ends.srcAddr) + sumWords(ends.dstAddr) + proto + l4Bytes;
  sum = sumWords(out, sum, l4, l4 + l4Header);
  sum = sumWords(payload, sum);
  let check = finishChecksum(sum);
  // UDP: an all-zero checksum means "none"; the computed zero is sent as all ones.
  if (!tcp && check === 0) check = 0xffff;
  view.setUint16(l4 + (tcp ? 16 : 6), check);
  return l4 + l4Header - at;
}
