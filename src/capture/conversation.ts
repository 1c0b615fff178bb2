import {
  MAX_DATAGRAM_PAYLOAD,
  MAX_SEGMENT_PAYLOAD,
  type PacketEnds,
  reversed,
  TCP,
  type TcpFields,
} from './packet.js';

/**
 * One connection as packets: the handshake, data segments with sequence and acknowledgement
 * numbers consistent with the bytes, FIN and RST. Pure: it turns what the application saw into
 * packets and keeps the sequence space, nothing more.
 *
 * The sequence space each side has used (SYN, data, FIN) lives in a Float64Array that may be shared
 * with a relay worker writing one direction of the same connection (relay-tap.ts): a side only
 * ever advances its own counter, after its packet is written, so an acknowledgement read from the
 * other counter never names bytes the file does not hold yet.
 */

export type Side = 'out' | 'in';

export interface Packet {
  ends: PacketEnds;
  tcp?: TcpFields;
  payload: Uint8Array;
  timeUs: number;
  comment?: string;
}

export interface ConversationSpec {
  proto: 'tcp' | 'udp';
  /** Direction `out`: local → remote. */
  out: PacketEnds;
  /** Which side sent the SYN. */
  initiator: Side;
  /** Initial sequence numbers of each side. */
  isn: { out: number; in: number };
  /** Sequence space used per side: [out, in]; shared with a relay worker when there is one. */
  used?: Float64Array;
}

const INDEX: Record<Side, number> = { out: 0, in: 1 };
const other = (side: Side): Side => (side === 'out' ? 'in' : 'out');
const EMPTY = new Uint8Array(0);

export class Conversation {
  readonly used: Float64Array;
  private readonly ends: Record<Side, PacketEnds>;
  private finished: Record<Side, boolean> = { out: false, in: false };
  private reset = false;

  /**
   * `write` puts packets in the file: each method writes its packets, and only then advances the
   * sequence counters (so a relay worker sharing them never acknowledges unwritten bytes).
   */
  constructor(
    readonly spec: ConversationSpec,
    private readonly write: (packets: Packet[]) => void = () => {},
  ) {
    this.used = spec.used ?? new Float64Array(2);
    this.ends = { out: spec.out, in: reversed(spec.out) };
  }

  get closed(): boolean {
    return this.reset || (this.finished.out && this.finished.in);
  }

  /** Sequence number of the next byte `side` sends. */
  seq(side: Side): number {
    return (this.spec.isn[side] + (this.used[INDEX[side]] ?? 0)) % 2 ** 32;
  }

  private advance(side: Side, n: number): void {
    const i = INDEX[side];
    this.used[i] = (this.used[i] ?? 0) + n;
  }

  /** A segment from `side`, `ahead` bytes past its next sequence number. */
  private segment(
    side: Side,
    flags: number,
    payload: Uint8Array,
    timeUs: number,
    comment?: string,
    ahead = 0,
  ): Packet {
    const tcp = { seq: (this.seq(side) + ahead) % 2 ** 32, ack: this.seq(other(side)), flags };
    return { ends: this.ends[side], tcp, payload, timeUs, comment };
  }

  /** Writes, then counts what `side` used of its sequence space. */
  private emit(packets: Packet[], side: Side, used: number): Packet[] {
    this.write(packets);
    this.advance(side, used);
    return packets;
  }

  /** The three-way handshake (TCP); nothing for UDP. */
  open(timeUs: number): Packet[] {
    if (this.spec.proto === 'udp') return [];
    const a = this.spec.initiator;
    const b = other(a);
    const syn = this.emit([this.segment(a, TCP.SYN, EMPTY, timeUs)], a, 1);
    const synAck = this.emit([this.segment(b, TCP.SYN | TCP.ACK, EMPTY, timeUs)], b, 1);
    return [...syn, ...synAck, ...this.emit([this.segment(a, TCP.ACK, EMPTY, timeUs)], a, 0)];
  }

  /** Bytes `side` sent: one datagram, or as many segments as the largest segment needs. */
  data(side: Side, bytes: Uint8Array, timeUs: number, comment?: string): Packet[] {
    if (this.spec.proto === 'udp') {
      const payload = bytes.subarray(0, MAX_DATAGRAM_PAYLOAD);
      return this.emit([{ ends: this.ends[side], payload, timeUs, comment }], side, 0);
    }
    if (this.reset || this.finished[side]) return [];
    const packets: Packet[] = [];
    for (let at = 0; at < bytes.length; at += MAX_SEGMENT_PAYLOAD) {
      const payload = bytes.subarray(at, at + MAX_SEGMENT_PAYLOAD);
      packets.push(
        this.segment(side, TCP.PSH | TCP.ACK, payload, timeUs, at === 0 ? comment : undefined, at),
      );
    }
    return this.emit(packets, side, bytes.length);
  }

  /** `side` shut down its write side: FIN (and the last ACK once both sides have). */
  fin(side: Side, timeUs: number): Packet[] {
    if (this.spec.proto === 'udp' || this.reset || this.finished[side]) return [];
    this.finished[side] = true;
    const fin = this.emit([this.segment(side, TCP.FIN | TCP.ACK, EMPTY, timeUs)], side, 1);
    if (!this.finished[other(side)]) return fin;
    return [...fin, ...this.emit([this.segment(other(side), TCP.ACK, EMPTY, timeUs)], other(side), 0)];
  }

  /** `side` aborted the connection: RST. */
  abort(side: Side, timeUs: number, comment?: string): Packet[] {
    if (this.spec.proto === 'udp' || this.closed) return [];
    this.reset = true;
    return this.emit([this.segment(side, TCP.RST | TCP.ACK, EMPTY, timeUs, comment)], side, 0);
  }
}
