import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineFault, definePlugin } from '../../../src/plugin/define-plugin.js';
import { rig } from './harness.js';

/** Faults that hold, cut and pace bytes but never lose them: whatever they do, order and content stay. */
const LOSSLESS = [
  'delay:30ms',
  'jitter:20ms',
  'throttle:2k',
  'fragment:3,gap=2ms',
  'fragment:1,gap=0',
  'coalesce:15ms',
  'coalesce:10ms,max=7',
  'stall,until=40ms',
  'delay:10ms,from=20ms,until=60ms',
  'throttle:500,dir=in',
];

describe('the fault pipeline', () => {
  it('loses nothing and reorders nothing in a TCP stream, for any mix of lossless faults and timings', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...LOSSLESS), { minLength: 1, maxLength: 4 }),
        fc.array(
          fc.record({
            dir: fc.constantFrom('in' as const, 'out' as const),
            data: fc.uint8Array({ minLength: 1, maxLength: 40 }),
            wait: fc.integer({ min: 0, max: 25 }),
          }),
          { maxLength: 30 },
        ),
        fc.boolean(),
        (specs, steps, closeEarly) => {
          const r = rig(specs);
          const sent = { in: [] as Uint8Array[], out: [] as Uint8Array[] };
          for (const s of steps) {
            sent[s.dir].push(Uint8Array.from(s.data));
            r.push(s.dir, s.data);
            r.clock.advance(s.wait);
          }
          if (closeEarly) r.pipeline.stopAll();
          else r.clock.advance(60_000);
          for (const dir of ['in', 'out'] as const) {
            expect(Buffer.concat(r.chunks(dir).map((d) => d.bytes))).toEqual(Buffer.concat(sent[dir]));
            expect(r.pipeline.held(dir)).toBe(0);
          }
          if (!closeEarly) r.pipeline.stopAll();
          expect(r.clock.pending).toBe(0);
          expect(r.holds.size).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('runs faults in the order given: fragment then delay delays every piece', () => {
    const r = rig(['fragment:2,gap=10ms', 'delay:100ms']);
    r.push('out', 'abcd');
    r.clock.advance(200);
    expect(r.chunks('out').map((d) => [d.bytes.toString(), d.t])).toEqual([
      ['ab', 100],
      ['cd', 110],
    ]);
  });

  it('from= and until=: passes through before, acts between, passes on what it holds at the end', () => {
    const r = rig(['delay:500ms,from=1s,until=3s']);
    r.push('out', 'early ');
    r.clock.advance(1500);
    r.push('out', 'held ');
    r.clock.advance(1400); // t = 2.9 s; 'held ' went out at 2 s
    r.push('out', 'late ');
    r.clock.advance(100); // t = 3 s: the fault ends and passes on 'late ' at once
    r.push('out', 'after');
    expect(r.chunks('out').map((d) => [d.bytes.toString(), d.t])).toEqual([
      ['early ', 0],
      ['held ', 2000],
      ['late ', 3000],
      ['after', 3000],
    ]);
  });

  it('a fault that throws is taken out; the chunk it was given goes on unchanged', () => {
    let calls = 0;
    const broken = definePlugin({
      name: 'broken',
      faults: {
        flaky: defineFault({
          summary: 'throws on the second chunk',
          create: (_o, ctx) => ({
            onData(dir, chunk) {
              if (++calls === 2) throw new TypeError('oops');
              ctx.forward(dir, chunk);
            },
          }),
        }),
      },
    });
    const r = rig(['flaky', 'delay:10ms'], { plugins: [broken] });
    r.push('out', 'one ');
    r.push('out', 'two ');
    r.push('out', 'three');
    r.clock.advance(10);
    expect(r.text('out')).toBe('one two three');
    expect(r.failures).toEqual(['#1 onData(): oops']);
    expect(r.pipeline.stages.map((s) => s.entry.spec)).toEqual(['delay:10ms']);
  });

  it('a fault whose create() throws never starts; the others still work', () => {
    const bad = definePlugin({
      name: 'bad',
      faults: {
        nope: defineFault({
          summary: 'create throws',
          create: () => {
            throw new Error('cannot');
          },
        }),
      },
    });
    const r = rig(['nope', 'delay:5ms'], { plugins: [bad] });
    r.push('in', 'x');
    r.clock.advance(5);
    expect(r.text('in')).toBe('x');
    expect(r.failures).toEqual(['#1 create(): cannot']);
  });

  it('counts what a timer-holding fault holds, and nothing for one that dropped bytes', () => {
    const r = rig(['delay:50ms', 'drop:1']);
    r.push('out', 'abcd');
    expect(r.pipeline.held('out')).toBe(4);
    r.clock.advance(50);
    expect(r.pipeline.held('out')).toBe(0);
    expect(r.delivered).toEqual([]);
  });
});
