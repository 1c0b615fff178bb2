import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureFile } from '../../../src/capture/capture-file.js';
import { finishChecksum, internetChecksum, sumWords } from '../../../src/capture/checksum.js';
import { Conversation, type Side } from '../../../src/capture/conversation.js';
import { buildFlows } from '../../../src/capture/flows.js';
import { ipv4Bytes, ipv6Bytes, ipv6Text } from '../../../src/capture/ip-address.js';
import { MAX_SEGMENT_PAYLOAD, type PacketEnds } from '../../../src/capture/packet.js';
import { type DecodedPacket, decodeFrame } from '../../../src/capture/packet-decode.js';
import { readCapture } from '../../../src/capture/pcap-reader.js';

const dir = mkdtempSync(join(tmpdir(), 'sockrepl-pcap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const mac = (n: number) => Uint8Array.of(2, 0, 0, 0, 0, n);
const ends = (v6: boolean): PacketEnds => ({
  v6,
  srcAddr: v6 ? ipv6Bytes('2001:db8::1') : ipv4Bytes('10.0.0.1'),
  dstAddr: v6 ? ipv6Bytes('2001:db8::2') : ipv4Bytes('10.0.0.2'),
  srcPort: 40000,
  dstPort: 8888,
  srcMac: mac(1),
  dstMac: mac(2),
});

let fileNo = 0;
function capture(
  format: 'pcap' | 'pcapng',
  proto: 'tcp' | 'udp',
  v6: boolean,
  chunks: Array<[Side, Uint8Array]>,
  isn = { out: 0xfffffff0, in: 7 },
): Uint8Array {
  const path = join(dir, `f${fileNo++}.${format}`);
  const file = new CaptureFile(path, 'test');
  const conv = new Conversation({ proto, out: ends(v6), initiator: 'out', isn });
  const iface = file.addInterface('c', 'test connection');
  let t = 1_700_000_000_000_000;
  file.write(conv.open(t), iface);
  for (const [side, bytes] of chunks) file.write(conv.data(side, bytes, ++t, 'a note'), iface);
  file.write(conv.fin('out', ++t), iface);
  file.write(conv.fin('in', ++t), iface);
  file.close();
  return readFileSync(path);
}

function decodeAll(bytes: Uint8Array): DecodedPacket[] {
  return readCapture(bytes).frames.map((f) => decodeFrame(f)!);
}

const chunkArb = fc.array(
  fc.tuple(fc.constantFrom<Side>('out', 'in'), fc.uint8Array({ minLength: 1, maxLength: 300 })),
  { maxLength: 12 },
);

describe('capture round trip', () => {
  it('reads back the bytes each side sent, TCP and UDP, IPv4 and IPv6, pcap and pcapng', () => {
    fc.assert(
      fc.property(
        chunkArb,
        fc.constantFrom<'pcap' | 'pcapng'>('pcap', 'pcapng'),
        fc.constantFrom<'tcp' | 'udp'>('tcp', 'udp'),
        fc.boolean(),
        (chunks, format, proto, v6) => {
          const bytes = capture(format, proto, v6, chunks);
          const contents = readCapture(bytes);
          expect(contents.truncated).toBe(false);
          const packets = decodeAll(bytes);
          expect(packets.every(Boolean)).toBe(true);
          const flows = buildFlows(packets);
          const sent = (side: Side) => Buffer.concat(chunks.filter((c) => c[0] === side).map((c) => c[1]));
          if (chunks.length === 0 && proto === 'udp') {
            expect(flows).toEqual([]);
            return;
          }
          expect(flows).toHaveLength(1);
          const f = flows[0]!;
          // UDP has no handshake: its client is whoever spoke first.
          const clientSide: Side = proto === 'tcp' ? 'out' : chunks[0]![0];
          const serverSide: Side = clientSide === 'out' ? 'in' : 'out';
          expect(Buffer.from(f.clientBytes)).toEqual(sent(clientSide));
          expect(Buffer.from(f.serverBytes)).toEqual(sent(serverSide));
          expect(f.missing).toBe(0);
          if (proto === 'tcp') {
            expect(f.syn).toBe(true);
            expect(f.fin).toEqual({ client: true, server: true });
            expect(f.client).toEqual({ address: v6 ? '2001:db8::1' : '10.0.0.1', port: 40000 });
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('writes valid IPv4, TCP and UDP checksums', () => {
    for (const proto of ['tcp', 'udp'] as const) {
      for (const v6 of [false, true]) {
        const bytes = capture('pcap', proto, v6, [
          ['out', Buffer.from('hello')],
          ['in', Buffer.from('odd!!')],
        ]);
        for (const frame of readCapture(bytes).frames) {
          const ip = frame.data.subarray(14);
          let l4 = ip;
          let pseudo = 0;
          if (!v6) {
            expect(internetChecksum(ip.subarray(0, 20))).toBe(0);
            l4 = ip.subarray(20);
            pseudo = sumWords(ip, 0, 12, 20) + ip[9]! + l4.length;
          } else {
            l4 = ip.subarray(40);
            pseudo = sumWords(ip, 0, 8, 40) + ip[6]! + l4.length;
          }
          expect(finishChecksum(sumWords(l4, pseudo))).toBe(0);
        }
      }
    }
  });

  it('cuts a large write into segments that fit an IP packet, and wraps sequence numbers', () => {
    const big = Buffer.alloc(MAX_SEGMENT_PAYLOAD * 2 + 5, 0x61);
    const bytes = capture('pcapng', 'tcp', false, [['out', big]]);
    const packets = decodeAll(bytes).filter((p) => p.payload.length > 0);
    expect(packets).toHaveLength(3);
    expect(Buffer.from(buildFlows(decodeAll(bytes))[0]!.clientBytes).equals(big)).toBe(true);
  });

  it('reassembles out-of-order, duplicated and overlapping segments', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 50 }), { minLength: 1, maxLength: 10 }),
        fc.infiniteStream(fc.nat()),
        fc.nat(),
        (chunks, random, seed) => {
          const bytes = capture(
            'pcap',
            'tcp',
            false,
            chunks.map((c) => ['out', c] as [Side, Uint8Array]),
          );
          const all = decodeAll(bytes);
          const [head, rest] = [all.slice(0, 3), all.slice(3)];
          // Shuffle the data segments and repeat some (retransmissions), one cut in two overlapping halves.
          const it = random[Symbol.iterator]();
          const shuffled = [...rest];
          for (let i = shuffled.length - 1; i > 0; i--) {
            const j = (it.next().value as number) % (i + 1);
            [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
          }
          const repeats = shuffled.filter((_, i) => (seed >> i) & 1);
          const flows = buildFlows([...head, ...shuffled, ...repeats]);
          expect(Buffer.from(flows[0]!.clientBytes)).toEqual(Buffer.concat(chunks));
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('ip addresses', () => {
  it('turns IPv6 text into bytes and back as Node would print it', () => {
    fc.assert(
      fc.property(fc.ipV6(), (text) => {
        const canonical = new URL(`http://[${text}]/`).hostname.slice(1, -1);
        const back = ipv6Text(ipv6Bytes(text));
        // The URL parser keeps an embedded IPv4 in hex, as ipv6Text does.
        expect(back).toBe(canonical);
      }),
    );
  });
});
