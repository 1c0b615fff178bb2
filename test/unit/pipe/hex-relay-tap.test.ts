import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TrafficDumper } from '../../../src/codec/traffic-dump.js';
import type { RelayTapHandle } from '../../../src/net/fd-relay-protocol.js';
import { createRelayTap, type HexRelayMessage } from '../../../src/pipe/hex-relay-tap.js';

/**
 * -x's relay tap, run here on the main thread: a direction dumped partly by the main thread's
 * dumper, then by a worker's tap (handed what the dumper held), then by the main thread again
 * (handed what the tap held at its end) reads exactly as one dumper's dump of the same chunks.
 */
const time = new Date('2026-12-06T00:00:00.000Z');

describe('hex relay tap', () => {
  it('main, worker, main again: the same dumps as one dumper, split characters included', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('utf8', 'gbk', 'utf16le'),
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 7 }), { minLength: 1, maxLength: 12 }),
        fc.nat(),
        fc.nat(),
        (encoding, chunks, a, b) => {
          const from = a % chunks.length;
          const to = from + (b % (chunks.length - from + 1));
          const one = new TrafficDumper({ encoding });
          const expected = chunks.map((bytes) => one.format({ dir: 'in', conn: 3, time, bytes }));

          const main = new TrafficDumper({ encoding });
          const got: string[] = [];
          const posted: HexRelayMessage[] = [];
          let tap: RelayTapHandle | undefined;
          // The main thread takes the worker's messages in order, before it reads on.
          const takeMessages = () => {
            for (const m of posted.splice(0)) {
              if ('held' in m) main.hold('in', 3, m.held);
              else got.push(Buffer.from(m.text, m.offset, m.length).toString('utf8'));
            }
          };
          chunks.forEach((bytes, k) => {
            if (k === from) {
              const config = { conn: 3, dir: 'in' as const, encoding, held: main.take('in', 3) };
              tap = createRelayTap({ ...config, pending: new SharedArrayBuffer(4) }, (m) =>
                posted.push(m as HexRelayMessage),
              );
            }
            if (k === to && tap) {
              tap.end?.();
              tap = undefined;
              takeMessages();
            }
            if (tap) tap.chunk(bytes, time.getTime() * 1000);
            else got.push(main.format({ dir: 'in', conn: 3, time, bytes }));
            takeMessages();
          });
          expect(got).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
