import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAfter } from '../../../plugins/faults/common.js';
import { rig } from './harness.js';

const bytesOf = (n: number, seed = 7) =>
  Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));

describe('delay', () => {
  it('passes each chunk on exactly this much later, in order, per direction', () => {
    const r = rig(['delay:200ms']);
    r.push('out', 'abc');
    r.clock.advance(50);
    r.push('out', 'de');
    r.push('in', 'xy');
    r.clock.advance(149);
    expect(r.delivered).toEqual([]);
    expect(r.pipeline.held('out')).toBe(5);
    r.clock.advance(1);
    expect(r.delivered.map((d) => [d.dir, d.bytes.toString(), d.t])).toEqual([['out', 'abc', 200]]);
    r.clock.advance(50);
    expect(r.chunks('out').map((d) => [d.bytes.toString(), d.t])).toEqual([
      ['abc', 200],
      ['de', 250],
    ]);
    expect(r.chunks('in').map((d) => [d.bytes.toString(), d.t])).toEqual([['xy', 250]]);
    expect(r.pipeline.held('out')).toBe(0);
  });

  it('switched off, passes on what it holds at once, then lets chunks through', () => {
    const r = rig(['delay:1s']);
    r.push('out', 'one ');
    r.push('out', 'two ');
    r.pipeline.remove(1);
    r.push('out', 'three');
    expect(r.text('out')).toBe('one two three');
    expect(r.delivered.every((d) => d.t === 0)).toBe(true);
    expect(r.clock.pending).toBe(0);
  });

  it('dir=out leaves received bytes alone', () => {
    const r = rig(['delay:100ms,dir=out']);
    r.push('in', 'now');
    r.push('out', 'later');
    expect(r.text('in')).toBe('now');
    expect(r.text('out')).toBe('');
    r.clock.advance(100);
    expect(r.text('out')).toBe('later');
  });
});

describe('jitter', () => {
  it('TCP: every chunk is held base..base+spread and the order is kept', () => {
    const r = rig(['jitter:50ms,base=100ms'], { seed: 3 });
    for (let i = 0; i < 40; i++) {
      r.push('out', String.fromCharCode(65 + i));
      r.clock.advance(2);
    }
    r.clock.advance(200);
    const got = r.chunks('out');
    expect(got.map((d) => d.bytes.toString()).join('')).toBe(
      Array.from({ length: 40 }, (_, i) => String.fromCharCode(65 + i)).join(''),
    );
    got.forEach((d, i) => {
      expect(d.t - i * 2).toBeGreaterThanOrEqual(100);
      expect(d.t - i * 2).toBeLessThanOrEqual(150 + 2 * 40);
    });
    for (let i = 1; i < got.length; i++) expect(got[i]!.t).toBeGreaterThanOrEqual(got[i - 1]!.t);
  });

  it('UDP: datagrams are delayed independently and may overtake, each within base..base+spread', () => {
    const r = rig(['jitter:100ms'], { proto: 'udp', seed: 11 });
    for (let i = 0; i < 50; i++) r.push('out', Buffer.from([i]));
    r.clock.advance(101);
    const got = r.chunks('out');
    expect(got).toHaveLength(50);
    expect(got.every((d) => d.t <= 100)).toBe(true);
    const order = got.map((d) => d.bytes[0]!);
    expect(order).not.toEqual([...order].sort((a, b) => a - b));
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('the same seed gives the same timings; another seed others', () => {
    const run = (seed: number) => {
      const r = rig(['jitter:1s'], { seed });
      for (let i = 0; i < 10; i++) r.push('out', 'x');
      r.clock.advance(1000);
      return r.chunks('out').map((d) => d.t);
    };
    expect(run(42)).toEqual(run(42));
    expect(run(42)).not.toEqual(run(43));
  });
});

describe('throttle', () => {
  it('never passes more than the rate allows (plus one 50 ms burst), and passes everything', () => {
    const r = rig(['throttle:1k']);
    const data = bytesOf(5000);
    r.push('out', data);
    let passed = 0;
    for (let t = 100; t <= 6000; t += 100) {
      r.clock.advance(100);
      passed = r.chunks('out').reduce((n, d) => n + d.bytes.length, 0);
      expect(passed).toBeLessThanOrEqual(Math.floor(1024 / 20) + (1024 * t) / 1000);
    }
    expect(passed).toBe(5000);
    expect(Buffer.concat(r.chunks('out').map((d) => d.bytes))).toEqual(data);
    // About 4.9 s for 5000 bytes at 1024/s, less the initial burst.
    const last = r.chunks('out').at(-1)!.t;
    expect(last).toBeGreaterThan(4700);
    expect(last).toBeLessThan(5000);
  });

  it('UDP datagrams are never cut: each waits until the bucket holds its size', () => {
    const r = rig(['throttle:100'], { proto: 'udp' });
    r.push('out', bytesOf(300));
    r.push('out', bytesOf(10));
    // The bucket starts with 5 bytes (50 ms at 100/s): 2.95 s more until 300 are there.
    r.clock.advance(2900);
    expect(r.chunks('out')).toEqual([]);
    r.clock.advance(60);
    expect(r.chunks('out').map((d) => [d.bytes.length, d.t])).toEqual([[300, 2950]]);
    r.clock.advance(100);
    expect(r.chunks('out').map((d) => [d.bytes.length, d.t])).toEqual([
      [300, 2950],
      [10, 3050],
    ]);
  });
});

describe('fragment', () => {
  it('cuts chunks into pieces of n bytes, gap= apart, also across chunks', () => {
    const r = rig(['fragment:3,gap=5ms']);
    r.push('out', 'abcdefgh');
    r.push('out', 'ij');
    r.clock.advance(100);
    expect(r.chunks('out').map((d) => [d.bytes.toString(), d.t])).toEqual([
      ['abc', 0],
      ['def', 5],
      ['gh', 10],
      ['ij', 15],
    ]);
  });

  it('gap=0 writes the pieces at once', () => {
    const r = rig(['fragment:1,gap=0']);
    r.push('in', 'hello');
    expect(r.chunks('in').map((d) => d.bytes.toString())).toEqual(['h', 'e', 'l', 'l', 'o']);
  });
});

describe('coalesce', () => {
  it('TCP: chunks gathered from the first one for the time are written as one', () => {
    const r = rig(['coalesce:50ms']);
    r.push('out', 'a');
    r.clock.advance(10);
    r.push('out', 'b');
    r.clock.advance(30);
    r.push('out', 'c');
    r.clock.advance(10);
    r.push('out', 'd');
    r.clock.advance(60);
    expect(r.chunks('out').map((d) => [d.bytes.toString(), d.t])).toEqual([
      ['abc', 50],
      ['d', 100],
    ]);
  });

  it('max= releases at once; UDP keeps datagram boundaries in the burst', () => {
    const r = rig(['coalesce:1s,max=4']);
    r.push('out', 'ab');
    r.push('out', 'cd');
    expect(r.text('out')).toBe('abcd');
    const u = rig(['coalesce:20ms'], { proto: 'udp' });
    u.push('out', 'x');
    u.push('out', 'y');
    u.clock.advance(20);
    expect(u.chunks('out').map((d) => [d.bytes.toString(), d.t])).toEqual([
      ['x', 20],
      ['y', 20],
    ]);
  });
});

describe('corrupt', () => {
  it('probability 1 flips exactly one bit in every byte; 0 changes nothing', () => {
    const data = bytesOf(1000);
    const r = rig(['corrupt:1']);
    r.push('out', data);
    const out = r.chunks('out')[0]!.bytes;
    for (let i = 0; i < data.length; i++) {
      const diff = out[i]! ^ data[i]!;
      expect(diff !== 0 && (diff & (diff - 1)) === 0).toBe(true);
    }
    const z = rig(['corrupt:0']);
    z.push('out', data);
    expect(z.chunks('out')[0]!.bytes).toEqual(data);
  });

  it('never changes the sender’s buffer, keeps the length, flips about p of the bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 4000 }),
        fc.integer({ min: 0, max: 1000 }),
        (data, seed) => {
          const before = Buffer.from(data);
          const r = rig(['corrupt:0.05'], { seed });
          r.push('in', data);
          const out = Buffer.concat(r.chunks('in').map((d) => d.bytes));
          expect(Buffer.from(data)).toEqual(before);
          expect(out.length).toBe(data.length);
          for (let i = 0; i < data.length; i++) {
            const diff = out[i]! ^ data[i]!;
            expect((diff & (diff - 1)) === 0).toBe(true);
          }
        },
      ),
      { numRuns: 100 },
    );
    const r = rig(['corrupt:1%'], { seed: 5 });
    const data = bytesOf(100_000);
    r.push('out', data);
    const out = r.chunks('out')[0]!.bytes;
    let changed = 0;
    for (let i = 0; i < data.length; i++) if (out[i] !== data[i]) changed++;
    expect(changed).toBeGreaterThan(800);
    expect(changed).toBeLessThan(1200);
  });

  it('the same seed corrupts the same bytes the same way', () => {
    const run = (seed: number) => {
      const r = rig(['corrupt:0.02'], { seed });
      for (let i = 0; i < 20; i++) r.push('out', bytesOf(500, i));
      return Buffer.concat(r.chunks('out').map((d) => d.bytes)).toString('hex');
    };
    expect(run(9)).toBe(run(9));
    expect(run(9)).not.toBe(run(10));
  });
});

describe('drop', () => {
  it('on TCP says plainly, once, that bytes vanish from the stream', () => {
    const r = rig(['drop:1']);
    r.push('out', 'abc');
    r.push('out', 'def');
    expect(r.delivered).toEqual([]);
    expect(r.logs.filter((l) => /vanish from the byte stream/.test(l))).toHaveLength(1);
    r.pipeline.stopAll();
    expect(r.logs.at(-1)).toBe('drop: dropped 2 chunks (6 bytes)');
  });

  it('drops about p of the datagrams, the same ones for the same seed', () => {
    const run = (seed: number) => {
      const r = rig(['drop:0.3'], { proto: 'udp', seed });
      for (let i = 0; i < 1000; i++) r.push('in', Buffer.from([i & 0xff, i >> 8]));
      return r.chunks('in').map((d) => d.bytes.readUInt16LE(0));
    };
    const kept = run(1);
    expect(kept.length).toBeGreaterThan(620);
    expect(kept.length).toBeLessThan(780);
    expect(run(1)).toEqual(kept);
    expect(run(2)).not.toEqual(kept);
  });
});

describe('duplicate', () => {
  it('delivers each datagram twice, as separate copies', () => {
    const r = rig(['duplicate'], { proto: 'udp' });
    r.push('out', 'ping');
    const got = r.chunks('out');
    expect(got.map((d) => d.bytes.toString())).toEqual(['ping', 'ping']);
  });
});

describe('stall', () => {
  it('in: stops reading at the first chunk and holds it; switched off, reading resumes and bytes go on', () => {
    const r = rig(['stall']);
    r.push('in', 'first');
    expect(r.holds.has('fault #1')).toBe(true);
    expect(r.pipeline.held('in')).toBe(5);
    r.clock.advance(60_000);
    expect(r.delivered).toEqual([]);
    r.pipeline.remove(1);
    expect(r.holds.size).toBe(0);
    expect(r.text('in')).toBe('first');
  });

  it('out: holds what is sent (counted as held, so senders are held back) until switched off', () => {
    const r = rig(['stall,dir=out,until=2s']);
    r.push('out', 'a');
    r.push('out', 'b');
    r.push('in', 'x');
    expect(r.text('in')).toBe('x');
    expect(r.holds.size).toBe(0);
    expect(r.pipeline.held('out')).toBe(2);
    r.clock.advance(2000);
    expect(r.chunks('out').map((d) => [d.bytes.toString(), d.t])).toEqual([
      ['a', 2000],
      ['b', 2000],
    ]);
  });
});

describe('reset and halfclose', () => {
  it('reset:after=10 lets exactly 10 bytes through, then asks for the RST', () => {
    const r = rig(['reset:after=10']);
    r.push('out', '123456');
    expect(r.events).toEqual([]);
    r.push('out', '7890ab');
    expect(r.text('out')).toBe('1234567890');
    expect(r.events).toEqual(['reset']);
    r.push('out', 'more');
    expect(r.text('out')).toBe('1234567890');
    expect(r.logs).toEqual(['reset: sending RST after 10 bytes']);
  });

  it('reset:after=2s fires on time; a bare reset at once', () => {
    const r = rig(['reset:2s']);
    r.push('in', 'ok');
    r.clock.advance(1999);
    expect(r.events).toEqual([]);
    r.clock.advance(1);
    expect(r.events).toEqual(['reset']);
    expect(rig(['reset']).events).toEqual(['reset']);
  });

  it('halfclose:after=4 sends FIN after 4 bytes; later sent bytes are discarded, received ones pass', () => {
    const r = rig(['halfclose:after=4']);
    r.push('out', 'abcdef');
    expect(r.text('out')).toBe('abcd');
    expect(r.events).toEqual(['shutdown write']);
    r.push('out', 'gh');
    r.push('in', 'reply');
    expect(r.text('out')).toBe('abcd');
    expect(r.text('in')).toBe('reply');
    r.pipeline.stopAll();
    expect(r.logs.at(-1)).toBe('halfclose: 4 bytes discarded after the FIN');
  });

  it('halfclose how=read after a time stops reading', () => {
    const r = rig(['halfclose:after=1s,how=read,dir=in']);
    r.clock.advance(1000);
    expect(r.events).toEqual(['shutdown read']);
  });

  it('after= takes bytes or durations and refuses an ambiguous 1m', () => {
    expect(parseAfter('1k')).toEqual({ bytes: 1024 });
    expect(parseAfter('2mb')).toEqual({ bytes: 2 * 1024 * 1024 });
    expect(parseAfter('1500')).toEqual({ bytes: 1500 });
    expect(parseAfter('2s')).toEqual({ ms: 2000 });
    expect(parseAfter('250ms')).toEqual({ ms: 250 });
    expect(parseAfter('1min')).toEqual({ ms: 60_000 });
    expect(() => parseAfter('1m')).toThrow("after: '1m' could be minutes or MiB; write 1min or 1mb");
    expect(() => parseAfter('soon')).toThrow(/neither a byte count/);
  });
});

describe('blackhole', () => {
  it('swallows both directions and says so once per direction', () => {
    const r = rig(['blackhole']);
    r.push('in', 'hello?');
    r.push('in', 'anyone?');
    r.push('out', 'x');
    expect(r.delivered).toEqual([]);
    expect(r.logs).toEqual([
      'blackhole: received bytes are thrown away',
      'blackhole: bytes sent are thrown away, none leave',
    ]);
  });
});

describe('corrupt across chunks', () => {
  it('hits the same stream positions with the same seed however the stream is cut', () => {
    const data = bytesOf(3000);
    const whole = rig(['corrupt:0.01'], { seed: 21 });
    whole.push('out', data);
    const expected = Buffer.concat(whole.chunks('out').map((d) => d.bytes));
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 2999 }), { maxLength: 20 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const r = rig(['corrupt:0.01'], { seed: 21 });
        let at = 0;
        for (const p of [...points, data.length]) {
          r.push('out', data.subarray(at, p));
          at = p;
        }
        expect(Buffer.concat(r.chunks('out').map((d) => d.bytes))).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });
});
