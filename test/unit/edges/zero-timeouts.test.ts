import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveOptionWords } from '../../../src/options/option-words.js';

/** Issue 16 item 10: `-i 0` meant "no idle timeout" while `-w 0` timed out at once. 0 is "none" for both. */
describe('a timeout of 0', () => {
  it('means no timeout for wait and idle-timeout alike, however it is written', () => {
    for (const zero of ['0', '0s', '0ms', '0x0', '0m']) {
      const o = resolveOptionWords(
        [
          { name: 'wait', value: zero },
          { name: 'idle-timeout', value: zero },
        ],
        'connect',
      );
      expect(o.waitMs, zero).toBeUndefined();
      expect(o.idleTimeoutMs, zero).toBeUndefined();
    }
  });

  it('any other duration is kept as given, the same for both', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 86_400_000 }), (ms) => {
        const o = resolveOptionWords(
          [
            { name: 'wait', value: `${ms}ms` },
            { name: 'idle-timeout', value: `${ms}ms` },
          ],
          'connect',
        );
        expect(o.waitMs).toBe(ms);
        expect(o.idleTimeoutMs).toBe(ms);
      }),
    );
  });
});
