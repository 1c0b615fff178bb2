import type { DecodedPacket } from './packet-decode.js';

/**
 * Packets grouped into flows (one TCP connection or one UDP address pair) and each TCP direction
 * reassembled into the byte stream the application read: ordered by sequence number, so
 * out-of-order segments land in place and retransmitted or overlapping ones count once. Pure.
 *
 * A flow's exchange is also kept as turns (client bytes, server bytes, ...) in the order they were
 * captured, which is what a replay or a script needs.
 */

export interface FlowEnd {
  address: string;
  port: number;
}

export interface Turn {
  /** `client` is the side that opened the flow (sent the SYN, or the first datagram). */
  from: 'client' | 'server';
  bytes: Uint8Array;
  /** UDP: one datagram per turn, never merged. */
  timeUs: number;
}

export interface Flow {
  /** From 1, in order of first appearance. */
  id: number;
  proto: 'tcp' | 'udp';
  family: 'IPv4' | 'IPv6';
  client: FlowEnd;
  server: FlowEnd;
  packets: number;
  firstUs: number;
  lastUs: number;
  /** Reassembled bytes each way. */
  clientBytes: Uint8Array;
  serverBytes: Uint8Array;
  turns: Turn[];
  /** TCP: whether the handshake was seen, how it ended, bytes missing from the capture. */
  syn: boolean;
  fin: { client: boolean; server: boolean };
  /** Which side sent its FIN first (a script half-closes, or expects EOF, in that order). */
  finOrder: Array<'client' | 'server'>;
  reset: boolean;
  missing: number;
}

const SYN = 0x02;
const ACK = 0x10;
const FIN = 0x01;
const RST = 0x04;

interface Piece {
  rel: number;
  data: Uint8Array;
  index: number;
  timeUs: number;
}

interface Building {
  flow: Omit<Flow, 'clientBytes' | 'serverBytes' | 'turns' | 'missing'>;
  /** First sequence number seen per direction (SYN + 1 when the SYN is seen). */
  base: { client?: number; server?: number };
  pieces: { client: Piece[]; server: Piece[] };
  datagrams: Turn[];
}

const key = (p: DecodedPacket, fromSrc: boolean) =>
  fromSrc
    ? `${p.proto} ${p.src} ${p.srcPort} ${p.dst} ${p.dstPort}`
    : `${p.proto} ${p.dst} ${p.dstPort} ${p.src} ${p.srcPort}`;

export function buildFlows(packets: Iterable<DecodedPacket>): Flow[] {
  const byKey = new Map<string, Building>();
  const order: Building[] = [];
  for (const p of packets) {
    let b = byKey.get(key(p, true));
    let from: 'client' | 'server' = 'client';
    if (b) from = 'client';
    else {
      b = byKey.get(key(p, false));
      if (b) from = 'server';
    }
    // A SYN-ACK seen first: its sender is the server.
    const synAck = p.proto === 'tcp' && (p.flags! & (SYN | ACK)) === (SYN | ACK);
    if (
      b &&
      p.proto === 'tcp' &&
      (p.flags! & (SYN | ACK)) === SYN &&
      from === 'client' &&
      b.flow.fin.client &&
      b.flow.fin.server
    ) {
      // A new connection on the same ports after the last one finished: a flow of its own.
      byKey.delete(key(p, true));
      b = undefined;
    }
    if (!b) {
      const swap = synAck;
      from = swap ? 'server' : 'client';
      const client = swap ? { address: p.dst, port: p.dstPort } : { address: p.src, port: p.srcPort };
      const server = swap ? { address: p.src, port: p.srcPort } : { address: p.dst, port: p.dstPort };
      b = {
        flow: {
          id: order.length + 1,
          proto: p.proto,
          family: p.family,
          client,
          server,
          packets: 0,
          firstUs: p.timeUs,
          lastUs: p.timeUs,
          syn: false,
          fin: { client: false, server: false },
          finOrder: [],
          reset: false,
        },
        base: {},
        pieces: { client: [], server: [] },
        datagrams: [],
      };
      byKey.set(`${p.proto} ${client.address} ${client.port} ${server.address} ${server.port}`, b);
      order.push(b);
    }
    const f = b.flow;
    f.packets++;
    f.lastUs = Math.max(f.lastUs, p.timeUs);
    if (p.proto === 'udp') {
      b.datagrams.push({ from, bytes: p.payload, timeUs: p.timeUs });
      continue;
    }
    const flags = p.flags!;
    const seq = p.seq!;
    if (flags & SYN) {
      f.syn = true;
      b.base[from] = (seq + 1) % 2 ** 32;
    }
    b.base[from] ??= seq;
    if (flags & RST) f.reset = true;
    if (flags & FIN && !f.fin[from]) {
      f.fin[from] = true;
      f.finOrder.push(from);
    }
    if (p.payload.length > 0) {
      const rel = (seq - b.base[from]! + 2 ** 32) % 2 ** 32;
      // A segment from before the base (a retransmission of bytes before the first one seen).
      if (rel < 2 ** 31) b.pieces[from].push({ rel, data: p.payload, index: p.index, timeUs: p.timeUs });
    }
  }
  return order.map(finish);
}

interface Contribution {
  from: 'client' | 'server';
  data: Uint8Array;
  index: number;
  timeUs: number;
}

/** One direction's stream, and what each segment added to it, in stream order. */
function reassemble(
  pieces: Piece[],
  from: 'client' | 'server',
): { bytes: Uint8Array; added: Contribution[]; missing: number } {
  const sorted = [...pieces].sort((a, b) => a.rel - b.rel || a.index - b.index);
  const added: Contribution[] = [];
  let next = 0;
  let missing = 0;
  let index = -1;
  let time = Number.NEGATIVE_INFINITY;
  for (const piece of sorted) {
    const end = piece.rel + piece.data.length;
    if (end <= next) continue;
    if (piece.rel > next) {
      // A hole in the capture: its bytes never reached the file. Later bytes still count.
      missing += piece.rel - next;
      next = piece.rel;
    }
    index = Math.max(index, piece.index);
    time = Math.max(time, piece.timeUs);
    added.push({ from, data: piece.data.subarray(next - piece.rel), index, timeUs: time });
    next = end;
  }
  const bytes = Buffer.concat(added.map((a) => a.data));
  return { bytes, added, missing };
}

function finish(b: Building): Flow {
  if (b.flow.proto === 'udp') {
    const join = (from: 'client' | 'server') =>
      Buffer.concat(b.datagrams.filter((d) => d.from === from).map((d) => d.bytes));
    return {
      ...b.flow,
      clientBytes: join('client'),
      serverBytes: join('server'),
      turns: b.datagrams,
      missing: 0,
    };
  }
  const c = reassemble(b.pieces.client, 'client');
  const s = reassemble(b.pieces.server, 'server');
  // In time order: two threads may write one capture (sockrepl's relay workers), so the file's
  // order can be a little off; timestamps then tell, and the file order breaks ties.
  const all = [...c.added, ...s.added].sort((x, y) => x.timeUs - y.timeUs || x.index - y.index);
  // Consecutive pieces from one side make one turn (joined once, at the end).
  const runs: { from: 'client' | 'server'; parts: Uint8Array[]; timeUs: number }[] = [];
  for (const a of all) {
    const last = runs.at(-1);
    if (last && last.from === a.from) last.parts.push(a.data);
    else runs.push({ from: a.from, parts: [a.data], timeUs: a.timeUs });
  }
  const turns = runs.map((r) => ({ from: r.from, bytes: Buffer.concat(r.parts), timeUs: r.timeUs }));
  return { ...b.flow, clientBytes: c.bytes, serverBytes: s.bytes, turns, missing: c.missing + s.missing };
}
