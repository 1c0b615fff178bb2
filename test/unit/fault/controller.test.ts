import { describe, expect, it } from 'vitest';
import { BUILTIN_PLUGINS } from '../../../plugins/index.js';
import { UsageError } from '../../../src/errors.js';
import { faultCommand } from '../../../src/fault/fault-command.js';
import { FaultController } from '../../../src/fault/fault-controller.js';
import { seededRandom } from '../../../src/fault/random.js';
import { PluginRegistry } from '../../../src/plugin/registry.js';

const controller = (proto: 'tcp' | 'udp' = 'tcp', seed: number | null = 7) => {
  const logs: string[] = [];
  let changes = 0;
  const c = new FaultController(new PluginRegistry({ builtins: BUILTIN_PLUGINS }), {
    proto,
    seed: seed ?? undefined,
    log: (text, level) => logs.push(`${level}: ${text}`),
    onChange: () => changes++,
  });
  return { c, logs, changes: () => changes };
};

describe('FaultController', () => {
  it('adds, lists, removes and clears faults by number or name', () => {
    const { c, changes } = controller();
    c.add('delay:200ms,dir=out', '--fault');
    c.add('fragment:1');
    c.add('delay:1s,from=2s,until=5s');
    expect(c.active.map((e) => [e.id, e.spec, e.dirs, e.fromMs, e.untilMs])).toEqual([
      [1, 'delay:200ms,dir=out', ['out'], 0, undefined],
      [2, 'fragment:1', ['in', 'out'], 0, undefined],
      [3, 'delay:1s,from=2s,until=5s', ['in', 'out'], 2000, 5000],
    ]);
    expect(c.summary()).toBe('delay:200ms,dir=out fragment:1 delay:1s,from=2s,until=5s');
    expect(c.remove('#2').map((e) => e.id)).toEqual([2]);
    expect(c.remove('delay').map((e) => e.id)).toEqual([1, 3]);
    expect(c.active).toEqual([]);
    c.add('stall');
    expect(c.clear().map((e) => e.spec)).toEqual(['stall']);
    expect(changes()).toBe(7);
    expect(() => c.remove('9')).toThrow("fault: no active fault '9' (none is active)");
  });

  it('rejects bad specs before anything changes, naming the spec', () => {
    const { c } = controller();
    expect(() => c.add('dealy:200ms', '--fault')).toThrow(
      /--fault 'dealy:200ms': unknown fault 'dealy' \(did you mean 'delay'\?\)/,
    );
    expect(() => c.add('delay', '--fault')).toThrow(
      "--fault 'delay': needs a value after ':' (delay:<duration>)",
    );
    expect(() => c.add('delay:1s,dir=sideways')).toThrow(/dir: 'sideways' is not one of in, out, both/);
    expect(() => c.add('delay:1s,from=5s,until=2s')).toThrow(
      "fault 'delay:1s,from=5s,until=2s': until= must come after from=",
    );
    expect(() => c.add('corrupt:2')).toThrow(/out of range/);
    expect(() => c.add('duplicate', '--fault')).toThrow(
      new UsageError(
        "--fault 'duplicate': duplicate applies to UDP datagrams; a TCP stream has no packets to repeat (the kernel discards duplicate segments)",
      ),
    );
    expect(c.active).toEqual([]);
    expect(controller('udp').c.add('duplicate:0.5').options).toEqual({ probability: 0.5 });
  });

  it('keeps the seed it was given, or picks one and says how to repeat the run', () => {
    expect(controller('tcp', 1234).c.seedLine()).toBe('fault seed 1234');
    const picked = controller('tcp', null).c;
    expect(picked.seedLine()).toBe(`fault seed ${picked.seed} (--seed ${picked.seed} repeats this run)`);
  });
});

describe('/fault', () => {
  it('takes options as separate words, lists, switches off', () => {
    const { c } = controller();
    expect(faultCommand(c, 'delay:300ms dir=out').lines).toEqual([
      'fault #1 delay:300ms,dir=out on (sent bytes)  (fault seed 7)',
    ]);
    expect(faultCommand(c, 'throttle:10k,from=1s,until=1m').lines).toEqual([
      'fault #2 throttle:10k,from=1s,until=1m on (both directions, from 1s until 1m)',
    ]);
    expect(faultCommand(c, 'list').lines).toEqual([
      '#1 delay:300ms,dir=out (sent bytes)',
      '#2 throttle:10k,from=1s,until=1m (both directions, from 1s until 1m)',
      'fault seed 7',
    ]);
    expect(faultCommand(c, '').data).toMatchObject({
      seed: 7,
      faults: [{ id: 1, name: 'delay', dir: 'out' }, { id: 2 }],
    });
    expect(faultCommand(c, 'off 1').lines).toEqual(['fault off: #1 delay:300ms,dir=out']);
    expect(faultCommand(c, 'clear').lines).toEqual(['faults off: #2 throttle:10k,from=1s,until=1m']);
    expect(faultCommand(c, 'clear').lines).toEqual(['no fault was on']);
    expect(() => faultCommand(undefined, 'delay:1s')).toThrow(
      'fault: fault injection is not set up in this session',
    );
  });
});

describe('seeded randomness', () => {
  it('is uniform-looking in [0, 1), repeatable, and separate per stream', () => {
    const a = seededRandom(5, 1, 1);
    const xs = Array.from({ length: 10_000 }, a);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
    const b = seededRandom(5, 1, 1);
    expect(Array.from({ length: 5 }, b)).toEqual(xs.slice(0, 5));
    const other = seededRandom(5, 2, 1);
    expect(Array.from({ length: 5 }, other)).not.toEqual(xs.slice(0, 5));
  });
});
