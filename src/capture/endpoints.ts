import { isIPv4, isIPv6 } from 'node:net';
import type { Endpoint } from '../net/channel.js';
import { ipv4Bytes, ipv6Bytes } from './ip-address.js';
import type { PacketEnds } from './packet.js';

/**
 * The addresses a captured connection shows. TCP and UDP channels carry real IP addresses and
 * ports, and the capture uses them. A channel whose ends are not IP (a unix socket, a program run
 * by exec) is shown as loopback TCP by a documented mapping: local 127.0.0.1, peer 127.0.0.2,
 * ports kept when they are numbers, else 40000 + the connection id (local) and 1 (peer), so each
 * such connection is a flow of its own.
 */

const LOCAL_MAC = Uint8Array.of(0x02, 0, 0, 0, 0, 0x01);
const REMOTE_MAC = Uint8Array.of(0x02, 0, 0, 0, 0, 0x02);

function bytesOf(address: string, v6: boolean): Uint8Array | undefined {
  if (v6) return isIPv6(address.replace(/%.*$/, '')) ? ipv6Bytes(address) : undefined;
  return isIPv4(address) ? ipv4Bytes(address) : undefined;
}

/** Ends of the `out` direction (local → remote) of connection `id`. */
export function captureEnds(
  id: number,
  local: Endpoint,
  remote: Endpoint,
): { ends: PacketEnds; mapped: boolean } {
  const v6 = local.family === 'IPv6' && remote.family === 'IPv6';
  const src = bytesOf(local.address, v6);
  const dst = bytesOf(remote.address, v6);
  const real = src && dst && local.port > 0 && remote.port > 0;
  if (real) {
    return {
      mapped: false,
      ends: {
        v6,
        srcAddr: src,
        dstAddr: dst,
        srcPort: local.port,
        dstPort: remote.port,
        srcMac: LOCAL_MAC,
        dstMac: REMOTE_MAC,
      },
    };
  }
  return {
    mapped: true,
    ends: {
      v6: false,
      srcAddr: Uint8Array.of(127, 0, 0, 1),
      dstAddr: Uint8Array.of(127, 0, 0, 2),
      srcPort: local.port > 0 ? local.port : 40000 + (id % 25000),
      dstPort: remote.port > 0 ? remote.port : 1,
      srcMac: LOCAL_MAC,
      dstMac: REMOTE_MAC,
    },
  };
}
