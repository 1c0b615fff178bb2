import { describe, expect, it } from 'vitest';
import { eventText } from '../../../src/ui/traffic-rows.js';
import { rig } from './harness.js';

/** What each built-in fault reports doing, seen through the pipeline (fake clock, no sockets). */
describe('fault actions', () => {
  it('delay reports each chunk delayed by the time it was held', () => {
    const r = rig(['delay:200ms']);
    r.push('out', 'abc');
    r.clock.advance(50);
    r.push('in', 'de');
    r.clock.advance(250);
    expect(r.actions).toEqual(['#1 out delayed 200 ms', '#1 in delayed 200 ms']);
  });

  it('a chunk passed on unchanged is no act', () => {
    const r = rig(['delay:200ms,dir=out']);
    r.push('in', 'abc');
    expect(r.text('in')).toBe('abc');
    expect(r.actions).toEqual([]);
  });

  it('drop:1 reports the bytes dropped', () => {
    const r = rig(['drop:1']);
    r.push('out', 'hello');
    expect(r.actions).toEqual(['#1 out dropped 5 bytes']);
  });

  it('fragment reports how many writes a chunk was cut into', () => {
    const r = rig(['fragment:2']);
    r.push('out', 'hello');
    r.clock.advance(10);
    expect(r.chunks('out')).toHaveLength(3);
    expect(r.actions).toEqual(['#1 out cut into 3 writes']);
  });

  it('duplicate:1 and corrupt:1 say so', () => {
    const d = rig(['duplicate:1'], { proto: 'udp' });
    d.push('in', 'xy');
    expect(d.actions).toEqual(['#1 in duplicated 2 bytes']);
    const c = rig(['corrupt:1']);
    c.push('out', 'abcd');
    expect(c.actions).toEqual(['#1 out corrupted 4 bytes']);
  });

  it('reset reports the reset once it fires', () => {
    const r = rig(['reset:after=3']);
    r.push('out', 'abcdef');
    expect(r.events).toContain('reset');
    expect(r.actions).toContain('#1 reset');
  });

  it('two faults each report their own act', () => {
    const r = rig(['fragment:1', 'delay:100ms']);
    r.push('out', 'ab');
    r.clock.advance(200);
    expect(r.text('out')).toBe('ab');
    expect(r.actions).toEqual(['#1 out cut into 2 writes', '#2 out delayed 100 ms', '#2 out delayed 100 ms']);
  });

  it('throttle and coalesce: cut and delayed chunks, several chunks in one write', () => {
    const r = rig(['coalesce:50ms']);
    r.push('out', 'ab');
    r.push('out', 'cd');
    r.clock.advance(60);
    expect(r.text('out')).toBe('abcd');
    expect(r.actions).toEqual(['#1 out delayed 50 ms', '#1 out delayed 50 ms']);
  });
});

describe('fault events as people read them', () => {
  it('the traffic view and a saved log show one line per act', () => {
    const e = {
      type: 'fault' as const,
      time: new Date(2026, 0, 1, 12, 0, 0, 5).getTime(),
      conn: 2,
      dir: 'out' as const,
      fault: 'delay',
      id: 1,
      kind: 'delayed',
      action: 'delayed 200 ms',
    };
    expect(eventText(e)).toBe('12:00:00.005 #2 fault #1 delay out: delayed 200 ms');
    expect(eventText({ ...e, dir: undefined, fault: 'reset', kind: 'reset', action: 'reset' })).toBe(
      '12:00:00.005 #2 fault #1 reset: reset',
    );
  });
});
