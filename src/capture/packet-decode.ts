import { ipv4Text, ipv6Text } from './ip-address.js';
import type { CapturedFrame } from './pcap-reader.js';

/**
 * From a captured frame to its TCP segment or UDP datagram: link layer (Ethernet with VLAN tags,
 * Linux cooked SLL and SLL2, raw IP, BSD loopback), IPv4 (unfragmented) or IPv6 (extension headers
 * skipped), then TCP or UDP. Pure; a frame that is something else, or cut short, gives undefined.
 */

export interface DecodedPacket {
  index: number;
  timeUs: number;
  proto: 'tcp' | 'udp';
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  family: 'IPv4' | 'IPv6';
  /** TCP only. */
  seq?: number;
  ack?: number;
  flags?: number;
  payload: Uint8Array;
}

const LINK = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  RAW_OLD: 12,
  RAW_14: 14,
  LOOP: 108,
  SLL: 113,
  SLL2: 276,
  IPV4: 228,
  IPV6: 229,
} as const;

/** Where the IP packet starts in a frame of this link type, or undefined when it carries none. */
function ipStart(linkType: number, data: Uint8Array, view: DataView): number | undefined {
  switch (linkType) {
    case LINK.ETHERNET: {
      let at = 12;
      let type = data.length >= 14 ? view.getUint16(at) : 0;
      // 802.1Q / 802.1ad tags, possibly stacked.
      while ((type === 0x8100 || type === 0x88a8) && data.length >= at + 6) {
        at += 4;
        type = view.getUint16(at);
      }
      return type === 0x0800 || type === 0x86dd ? at + 2 : undefined;
    }
    case LINK.SLL:
      return data.length >= 16 && isIpType(view.getUint16(14)) ? 16 : undefined;
    case LINK.SLL2:
      return data.length >= 20 && isIpType(view.getUint16(0)) ? 20 : undefined;
    case LINK.NULL:
    case LINK.LOOP:
      return data.length >= 4 ? 4 : undefined;
    case LINK.RAW:
    case LINK.RAW_OLD:
    case LINK.RAW_14:
    case LINK.IPV4:
    case LINK.IPV6:
      return 0;
    default:
      return undefined;
  }
}

const isIpType = (t: number) => t === 0x0800 || t === 0x86dd;

export function decodeFrame(frame: CapturedFrame): DecodedPacket | undefined {
  const data = frame.data;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const ip = ipStart(frame.linkType, data, view);
  if (ip === undefined || ip >= data.length) return undefined;
  const version = data[ip]! >> 4;
  let l4: number;
  let end: number;
  let proto: number;
  let src: string;
  let dst: string;
  let family: 'IPv4' | 'IPv6';
  if (version === 4) {
    const ihl = (data[ip]! & 0x0f) * 4;
    if (ihl < 20 || ip + ihl > data.length) return undefined;
    const total = view.getUint16(ip + 2);
    const fragment = view.getUint16(ip + 6);
    // A fragment other than a whole datagram: not reassembled (rare on TCP, which avoids it).
    if (fragment & 0x3fff) return undefined;
    proto = data[ip + 9]!;
    src = ipv4Text(data.subarray(ip + 12, ip + 16));
    dst = ipv4Text(data.subarray(ip + 16, ip + 20));
    l4 = ip + ihl;
    // Segmentation offload captures write 0 as the total length: take the frame's end then.
    end = total === 0 ? data.length : Math.min(data.length, ip + total);
    family = 'IPv4';
  } else if (version === 6) {
    if (ip + 40 > data.length) return undefined;
    const payloadLength = view.getUint16(ip + 4);
    proto = data[ip + 6]!;
    src = ipv6Text(data.subarray(ip + 8, ip + 24));
    dst = ipv6Text(data.subarray(ip + 24, ip + 40));
    l4 = ip + 40;
    end = payloadLength === 0 ? data.length : Math.min(data.length, l4 + payloadLength);
    // Hop-by-hop, routing and destination options come before the transport header.
    while ((proto === 0 || proto === 43 || proto === 60) && l4 + 8 <= end) {
      proto = data[l4]!;
      l4 += (data[l4 + 1]! + 1) * 8;
    }
    family = 'IPv6';
  } else {
    return undefined;
  }
  const base = { index: frame.index, timeUs: frame.timeUs, src, dst, family };
  if (proto === 6) {
    if (l4 + 20 > end) return undefined;
    const offset = (data[l4 + 12]! >> 4) * 4;
    if (offset < 20 || l4 + offset > end) return undefined;
    return {
      ...base,
      proto: 'tcp',
      srcPort: view.getUint16(l4),
      dstPort: view.getUint16(l4 + 2),
      seq: view.getUint32(l4 + 4),
      ack: view.getUint32(l4 + 8),
      flags: data[l4 + 13]!,
      payload: data.subarray(l4 + offset, end),
    };
  }
  if (proto === 17) {
    if (l4 + 8 > end) return undefined;
    const length = view.getUint16(l4 + 4);
    const stop = length >= 8 ? Math.min(end, l4 + length) : end;
    return {
      ...base,
      proto: 'udp',
      srcPort: view.getUint16(l4),
      dstPort: view.getUint16(l4 + 2),
      payload: data.subarray(l4 + 8, stop),
    };
  }
  return undefined;
}
