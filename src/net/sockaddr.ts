import { isIPv4, isIPv6 } from 'node:net';
import type { PlatformConstants } from './native.js';

/** Encodes an IP literal and port as a struct sockaddr_in / sockaddr_in6 for bind(2). */
export function encodeSockaddr(address: string, port: number, c: PlatformConstants): Buffer {
  if (isIPv4(address)) {
    const buf = Buffer.alloc(16);
    writeFamily(buf, c.AF_INET, 16, c);
    buf.writeUInt16BE(port, 2);
    address.split('.').forEach((octet, i) => {
      buf.writeUInt8(Number(octet), 4 + i);
    });
    return buf;
  }
  if (isIPv6(address)) {
    const [addr, scope] = address.split('%');
    const buf = Buffer.alloc(28);
    writeFamily(buf, c.AF_INET6, 28, c);
    buf.writeUInt16BE(port, 2);
    ipv6Bytes(addr!).copy(buf, 8);
    if (scope && /^\d+$/.test(scope)) buf.writeUInt32LE(Number(scope), 24);
    return buf;
  }
  throw new TypeError(`not an IP address: ${address}`);
}

function writeFamily(buf: Buffer, family: number, size: number, c: PlatformConstants): void {
  if (c.sockaddrHasLen) {
    buf.writeUInt8(size, 0);
    buf.writeUInt8(family, 1);
  } else {
    buf.writeUInt16LE(family, 0);
  }
}

/** The 16 bytes of an IPv6 literal, including `::` compression and a trailing dotted quad. */
export function ipv6Bytes(address: string): Buffer {
  let text = address;
  const out = Buffer.alloc(16);
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(tail === undefined ? 0 : zeros).fill('0'), ...tailGroups];
  groups.forEach((g, i) => {
    out.writeUInt16BE(Number.parseInt(g, 16), i * 2);
  });
  return out;
}
