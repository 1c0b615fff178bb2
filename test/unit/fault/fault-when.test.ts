import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseWhen } from '../../../src/fault/fault-when.js';
import { rig } from './harness.js';

describe('when= and count=', () => {
  it('parses /regex/, hex:"..." and "text"; refuses the rest in one line', () => {
    expect(parseWhen('/LOGIN/').test(Buffer.from('x LOGIN y'))).toBe(true);
    expect(parseWhen('hex:"00 05"').test(Buffer.from([1, 0, 5]))).toBe(true);
    expect(parseWhen('"ab"').test(Buffer.from('xaby'))).toBe(true);
    expect(() => parseWhen('LOGIN')).toThrow(/neither \/regex\//);
    expect(() => parseWhen('/(/')).toThrow(/not a regular expression/);
  });

  it('fuzz: any text parses or is a UsageError', () => {
    fc.assert(
      fc.property(fc.string(), (t) => {
        try {
          parseWhen(t);
        } catch (err) {
          expect((err as Error).name).toMatch(/Error/);
          expect((err as Error).message).toMatch(/^when: /);
        }
      }),
    );
  });

  it('delay acts only on matching chunks, count=1 on the first; order is kept', () => {
    const r = rig(['delay:100ms,when=/B/,count=1']);
    r.push('out', 'A');
    r.push('out', 'B1');
    r.push('out', 'C');
    r.push('out', 'B2');
    expect(r.text('out')).toBe('A');
    r.clock.advance(100);
    expect(r.text('out')).toBe('AB1CB2');
    expect(r.actions).toEqual(['#1 out delayed 100 ms']);
  });

  it('a spec keeps commas and spaces inside the quoted or slashed value', () => {
    const r = rig(['reset,when=/a,b/', 'delay:1s,when=hex:"00 05",dir=in']);
    r.push('out', 'xa,by');
    expect(r.events).toContain('reset');
  });
});
