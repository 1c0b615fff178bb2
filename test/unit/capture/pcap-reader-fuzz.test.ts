import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureFile } from '../../../src/capture/capture-file.js';
import { Conversation } from '../../../src/capture/conversation.js';
import { buildFlows } from '../../../src/capture/flows.js';
import { ipv4Bytes } from '../../../src/capture/ip-address.js';
import { decodeFrame } from '../../../src/capture/packet-decode.js';
import { CaptureFormatError, readCapture } from '../../../src/capture/pcap-reader.js';

const dir = mkdtempSync(join(tmpdir(), 'sockrepl-pcapfuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sample(format: 'pcap' | 'pcapng', proto: 'tcp' | 'udp'): Uint8Array {
  const path = join(dir, `s.${format}`);
  const file = new CaptureFile(path, 'fuzz');
  const conv = new Conversation({
    proto,
    out: {
      v6: false,
      srcAddr: ipv4Bytes('127.0.0.1'),
      dstAddr: ipv4Bytes('127.0.0.1'),
      srcPort: 1,
      dstPort: 2,
      srcMac: new Uint8Array(6),
      dstMac: new Uint8Array(6),
    },
    initiator: 'out',
    isn: { out: 1, in: 2 },
  });
  const iface = file.addInterface('x', 'y');
  file.write(conv.open(1), iface);
  file.write(conv.data('out', Buffer.from('hello'), 2, 'comment'), iface);
  file.write(conv.data('in', Buffer.from('world!'), 3), iface);
  file.write(conv.fin('out', 4), iface);
  file.close();
  return readFileSync(path);
}

/** Whatever the bytes, the reader either returns frames or throws its own error; decoding never throws. */
function survives(bytes: Uint8Array): void {
  try {
    const contents = readCapture(bytes);
    const packets = contents.frames.map(decodeFrame).filter((p) => p !== undefined);
    buildFlows(packets);
  } catch (err) {
    if (!(err instanceof CaptureFormatError)) throw err;
  }
}

describe('capture reader fuzz', () => {
  const seeds = [
    sample('pcap', 'tcp'),
    sample('pcapng', 'tcp'),
    sample('pcap', 'udp'),
    sample('pcapng', 'udp'),
  ];

  it('survives random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), survives), { numRuns: 500 });
  });

  it('survives mutated, cut and extended valid files', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.nat(),
        fc.uint8Array({ maxLength: 40 }),
        (seed, flips, cut, extra) => {
          const bytes = Buffer.from(seed);
          for (const [at, value] of flips) bytes[at % bytes.length] = value;
          survives(Buffer.concat([bytes.subarray(0, cut % (bytes.length + 1)), extra]));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('keeps what precedes a cut and says the file is truncated', () => {
    for (const seed of seeds) {
      const whole = readCapture(seed).frames.length;
      const cut = readCapture(seed.subarray(0, seed.length - 3));
      expect(cut.truncated).toBe(true);
      expect(cut.frames.length).toBe(whole - 1);
    }
  });
});
