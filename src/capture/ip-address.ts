import { isIPv4, isIPv6 } from 'node:net';

/**
 * Addresses as the bytes an IP header carries. Node hands addresses over as text; a capture needs
 * them as 4 or 16 bytes (and a reader turns them back into the text Node would print).
 */

/** The 4 bytes of a dotted IPv4 address. */
export function ipv4Bytes(text: string): Uint8Array {
  if (!isIPv4(text)) throw new RangeError(`not an IPv4 address: ${text}`);
  return Uint8Array.from(text.split('.').map(Number));
}

/** The 16 bytes of an IPv6 address (`::1`, `fe80::1%lo` with its zone dropped, `::ffff:1.2.3.4`). */
export function ipv6Bytes(text: string): Uint8Array {
  const bare = text.replace(/%.*$/, '');
  if (!isIPv6(bare)) throw new RangeError(`not an IPv6 address: ${text}`);
  let groups: number[] = [];
  let tail = bare;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
  const embedded: number[] = [];
  if (v4) {
    const b = ipv4Bytes(v4[1]!);
    embedded.push((b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!);
    tail = bare.slice(0, -v4[1]!.length).replace(/:$/, '') || '';
    if (tail.endsWith(':')) tail += ':';
  }
  const words = (part: string) => (part === '' ? [] : part.split(':').map((h) => Number.parseInt(h, 16)));
  const gap = tail.indexOf('::');
  if (gap >= 0) {
    const head = words(tail.slice(0, gap));
    const rest = words(tail.slice(gap + 2));
    const zeros = 8 - head.length - rest.length - embedded.length;
    groups = [...head, ...new Array<number>(zeros).fill(0), ...rest, ...embedded];
  } else {
    groups = [...words(tail), ...embedded];
  }
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

/** Dotted text of 4 address bytes. */
export function ipv4Text(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 4)).join('.');
}

/** Compressed IPv6 text (RFC 5952: longest zero run of two or more groups becomes `::`). */
export function ipv6Text(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
  if (best < 0) return hex(groups);
  return `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLen))}`;
}
