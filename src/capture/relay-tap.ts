import { CaptureFile } from './capture-file.js';
import { nowUs } from './clock.js';
import { Conversation, type ConversationSpec, type Side } from './conversation.js';
import type { PacketEnds } from './packet.js';

/**
 * The capture's half of pipe mode's fast path: loaded by a relay worker (net/fd-relay-worker.ts),
 * it writes one direction's packets from that thread, straight to the capture file, so capturing
 * costs the fast path a copy and a write per chunk instead of the ordinary path. The conversation's
 * sequence counters are shared with the main thread (which writes the handshake, FIN and RST).
 */

export interface RelayTapConfig {
  fd: number;
  path: string;
  format: 'pcap' | 'pcapng';
  iface: number;
  side: Side;
  proto: 'tcp' | 'udp';
  initiator: Side;
  isn: { out: number; in: number };
  /** The `out` ends, with addresses as plain arrays (structured clone keeps typed arrays too). */
  out: PacketEnds;
  used: SharedArrayBuffer;
}

export function createRelayTap(config: RelayTapConfig): (chunk: Uint8Array, timeUs: number) => void {
  const file = CaptureFile.onDescriptor(config.fd, config.path, config.format, (message) =>
    console.error(`sockrepl: ${message}`),
  );
  const spec: ConversationSpec = {
    proto: config.proto,
    out: config.out,
    initiator: config.initiator,
    isn: config.isn,
    used: new Float64Array(config.used),
  };
  // Build one packet now (not written) so that the first real chunk does not wait for the code
  // to warm up, and lands in the file close to the time it carries.
  new Conversation({ ...spec, used: new Float64Array(2) }).data(config.side, new Uint8Array(64), nowUs());
  const conv = new Conversation(spec, (packets) => file.write(packets, config.iface));
  return (chunk, timeUs) => {
    conv.data(config.side, chunk, timeUs);
  };
}
