import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MessageSplitter } from '../../../src/fault/message-split.js';
import { rig } from './harness.js';

/** Cuts `data` at the given points (sorted, deduplicated, inside it). */
function cut(data: Buffer, points: number[]): Buffer[] {
  const at = [...new Set(points.map((p) => p % (data.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of [...at, data.length]) {
    if (p > from) out.push(data.subarray(from, p));
    from = Math.max(from, p);
  }
  return out;
}

function u16Frame(payload: Uint8Array): Buffer {
  const head = Buffer.alloc(2);
  head.writeUInt16BE(payload.length);
  return Buffer.concat([head, payload]);
}

describe('when= and count= with framing on: whole messages', () => {
  it('a message split across two chunks still triggers, once it is whole', () => {
    const r = rig(['reset,when=/LOGIN/'], { frame: 'lines' });
    r.push('out', 'hello\nLO');
    expect(r.events).toEqual([]);
    expect(r.text('out')).toBe('hello\n');
    r.push('out', 'GIN alice\nmore');
    expect(r.events).toEqual(['reset']);
    // reset acts as it starts: the message that woke it does not go on.
    expect(r.text('out')).toBe('hello\n');
  });

  it('without framing the same chunks do not match (per chunk)', () => {
    const r = rig(['reset,when=/LOGIN/']);
    r.push('out', 'hello\nLO');
    r.push('out', 'GIN alice\n');
    expect(r.events).toEqual([]);
  });

  it('acts on the matching message only, keeping the order of the others', () => {
    const r = rig(['delay:100ms,when=/B/'], { frame: 'lines' });
    r.push('out', 'A\nB1\nC\n');
    expect(r.text('out')).toBe('A\n');
    r.clock.advance(100);
    expect(r.text('out')).toBe('A\nB1\nC\n');
    expect(r.chunks('out').map((c) => c.bytes.toString())).toEqual(['A\n', 'B1\n', 'C\n']);
    expect(r.actions).toEqual(['#1 out delayed 100 ms']);
  });

  it('count=1 counts messages, not chunks', () => {
    const r = rig(['delay:50ms,count=1'], { frame: 'lines' });
    r.push('out', 'one\ntwo\n');
    expect(r.text('out')).toBe('');
    r.clock.advance(50);
    expect(r.text('out')).toBe('one\ntwo\n');
    expect(r.actions).toEqual(['#1 out delayed 50 ms']);
  });

  it('a partial message counts as held, and goes on (matched as it is) when the stream ends', () => {
    const r = rig(['delay:10ms,when=/tail/'], { frame: 'lines' });
    r.push('out', 'x\ntail');
    expect(r.text('out')).toBe('x\n');
    expect(r.pipeline.held('out')).toBe(4);
    r.pipeline.endOf('out');
    expect(r.text('out')).toBe('x\n');
    r.clock.advance(10);
    expect(r.text('out')).toBe('x\ntail');
    expect(r.pipeline.held('out')).toBe(0);
  });

  it('switching the fault off passes a partial message on', () => {
    const r = rig(['reset,when=/never/'], { frame: 'lines' });
    r.push('in', 'abc');
    expect(r.text('in')).toBe('');
    r.pipeline.stopAll();
    expect(r.text('in')).toBe('abc');
  });

  it('a framer that fails hands on what it held and matching goes on per chunk', () => {
    const r = rig(['reset,when=/Z/'], { frame: 'length:u8,max=4' });
    r.push('out', Buffer.from([2, 0x41, 0x42, 9]));
    expect(r.text('out')).toBe('\x02AB\x09');
    r.push('out', Buffer.from('xyz'));
    expect(r.text('out')).toBe('\x02AB\x09xyz');
    expect(r.logs.some((l) => /framing failed .*over max=4.*per chunk/.test(l))).toBe(true);
    r.push('out', 'Z');
    expect(r.events).toEqual(['reset']);
  });

  it('UDP: each datagram is a message already (no framer)', () => {
    const r = rig(['reset,when=/LOGIN/'], { frame: 'lines', proto: 'udp' });
    r.push('out', 'LOGIN');
    expect(r.events).toEqual(['reset']);
  });

  it('property: no byte is lost or reordered, however the stream is chunked', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 12 }),
        fc.array(fc.nat(2000), { maxLength: 20 }),
        fc.constantFrom('delay:5ms,when=hex:"ff"', 'fragment:3,when=hex:"00"', 'delay:1ms,count=2'),
        (payloads, points, spec) => {
          const stream = Buffer.concat(payloads.map(u16Frame));
          const r = rig([spec], { frame: 'length:u16be' });
          for (const c of cut(stream, points)) r.push('out', c);
          r.pipeline.endOf('out');
          r.clock.advance(1_000_000);
          expect(Buffer.concat(r.chunks('out').map((d) => d.bytes)).equals(stream)).toBe(true);
          expect(r.pipeline.held('out')).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: the splitter hands on exactly its input, messages whole', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ maxLength: 10 }).map((s) => s.replace(/\n/g, '')),
          { maxLength: 10 },
        ),
        fc.array(fc.nat(500), { maxLength: 10 }),
        fc.boolean(),
        (lines, points, endsWithNewline) => {
          const text = lines.join('\n') + (endsWithNewline ? '\n' : '');
          const stream = Buffer.from(text, 'latin1');
          const r = rig([], { frame: 'lines' });
          const split = new MessageSplitter(r.registry.createFramer('lines'), () => {});
          const out: Uint8Array[] = [];
          for (const c of cut(stream, points)) out.push(...split.push(c));
          for (const m of out) expect(Buffer.from(m).toString('latin1').indexOf('\n')).toBe(m.length - 1);
          out.push(...split.flush());
          expect(Buffer.concat(out).equals(stream)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
