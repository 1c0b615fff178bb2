import { describe, expect, it } from 'vitest';
import { FaultController } from '../../../src/fault/fault-controller.js';
import { PluginRegistry } from '../../../src/plugin/registry.js';
import badFaults from '../../fixtures/plugins/bad-faults.js';
import { rig } from './harness.js';

/**
 * The fault half of the bad-plugin matrix, on the pipeline alone (a fake clock, no sockets):
 * each way a fault breaks its contract is one line naming the plugin, the fault, the hook and
 * what it did; the fault is taken out, and every byte it did not pass on goes on unchanged.
 */

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('a fault that breaks its contract', () => {
  const forwardText =
    "called ctx.forward('in', a string); it takes 'in' or 'out' and bytes (a Uint8Array: Buffer.from(text))";
  it.each([
    ['data-throws', 'boom'],
    ['data-rejects', 'rejected Error: boom'],
    ['data-string', forwardText],
    ['data-string-caught', forwardText],
  ])(
    '%s per chunk: taken out, reported once, every chunk delivered unchanged and in order',
    async (name, what) => {
      const r = rig([name], { plugins: [badFaults] });
      for (const chunk of ['one,', 'two,', 'three']) {
        r.push('in', chunk);
        await flush();
      }
      expect(r.text('in')).toBe('one,two,three');
      expect(r.failures).toEqual([`#1 onData(): ${what}`]);
      expect(r.pipeline.live('in')).toBe(false);
    },
  );

  it('onData returning garbage is ignored (it returns nothing by contract): no failure, no loss', async () => {
    const r = rig(['data-garbage'], { plugins: [badFaults] });
    r.push('in', 'a');
    r.push('out', 'b');
    await flush();
    expect([r.text('in'), r.text('out'), r.failures]).toEqual(['a', 'b', []]);
  });

  it('onClose that throws after passing on what it held: reported, nothing lost', () => {
    const r = rig(['close-throws'], { plugins: [badFaults] });
    r.push('in', 'held ');
    r.push('in', 'back');
    expect(r.text('in')).toBe('');
    r.pipeline.stopAll();
    expect(r.text('in')).toBe('held back');
    expect(r.failures).toEqual(['#1 onClose(): boom']);
  });

  it('async onClose that rejects is reported, not an unhandled rejection', async () => {
    const r = rig(['close-rejects'], { plugins: [badFaults] });
    r.push('out', 'x');
    r.pipeline.stopAll();
    await flush();
    expect(r.text('out')).toBe('x');
    expect(r.failures).toEqual(['#1 onClose(): rejected Error: boom']);
  });

  it('a timer that rejects: reported, with the bytes it held counted as lost', async () => {
    const r = rig(['timer-rejects'], { plugins: [badFaults] });
    r.push('in', 'first');
    r.push('in', 'second');
    r.clock.advance(1);
    await flush();
    expect(r.text('in')).toBe('first');
    expect(r.failures).toEqual(['#1 a timer: rejected Error: boom']);
    r.push('in', 'third');
    expect(r.text('in')).toBe('firstthird');
  });

  it.each([
    ['create-throws', 'threw Error: boom'],
    ['create-null', 'returned null, not a transform object'],
    ['create-number', 'returned a number, not a transform object'],
    ['create-pending', 'returned a promise, not a transform'],
    ['create-rejects', 'returned a promise, not a transform'],
  ])(
    '%s: --fault / /fault refuse it at once with one line naming plugin, fault and hook',
    async (name, what) => {
      const registry = new PluginRegistry();
      registry.add(badFaults, 'bad-faults.ts');
      const faults = new FaultController(registry, { proto: 'tcp', log: () => {} });
      const err = (() => {
        try {
          faults.add(name, '--fault');
        } catch (e) {
          return e as Error & { exitCode: number };
        }
        throw new Error('accepted');
      })();
      expect(err.message).toBe(
        `plugin 'bad-faults': fault '${name}' create() ${what}${err.message.split(what)[1]}`,
      );
      expect(err.message).not.toContain('\n');
      expect(err.exitCode).toBe(2);
      expect(faults.active).toEqual([]);
      await flush();
    },
  );

  it('create returning garbage on a connection (not at the check) takes the fault out; bytes pass', () => {
    const r = rig(['create-null'], { plugins: [badFaults] });
    expect(r.failures).toEqual([
      '#1 create(): returned null, not a transform object ({ onOpen?, onData?, onClose? })',
    ]);
    r.push('in', 'intact');
    expect(r.text('in')).toBe('intact');
  });
});
