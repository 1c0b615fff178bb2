import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runsInLinearTime } from '../../../src/codec/regex-literal.js';
import { UsageError } from '../../../src/errors.js';
import { execBounded } from '../../../src/tube/bounded-regex.js';

describe('a user regex never hangs the process', () => {
  it('a catastrophic pattern V8 can run in linear time answers at once', () => {
    // Without the linear fallback this single exec backtracks for minutes.
    expect(runsInLinearTime(/^(a+)+$/)).toBe(true);
    expect(execBounded(/^(a+)+$/, `${'a'.repeat(40)}!`)).toBeNull();
    expect(execBounded(/^(a|aa)+$/, 'a'.repeat(60))?.[0]).toBe('a'.repeat(60));
  });

  it('one that only backtracking can run is stopped and named (usage error)', () => {
    expect(runsInLinearTime(/^(a+)+$/i)).toBe(false);
    let caught: unknown;
    try {
      execBounded(/^(a+)+$/i, `${'a'.repeat(40)}!`);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as Error).message).toMatch(
      /^regex \/\^\(a\+\)\+\$\/i ran longer than 5s on 41 characters/,
    );
    // The helper thread comes back for the next pattern.
    expect(execBounded(/(?<x>b)(c)\k<x>/i, 'aaBcB')?.groups).toEqual({ x: 'B' });
  }, 60_000);

  it('gives the same match as RegExp.exec, on this thread or the helper', () => {
    const patterns = [
      /(a|b)+c/,
      /(?<w>\w+)\s+\k<w>/,
      /x(?=y)/i,
      /^(\d+)-(\d+)$/m,
      /(é+)(.)/u,
      /b*/y,
      /(?<=a)b/,
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...patterns),
        fc.string({
          unit: fc.constantFrom('a', 'b', 'c', 'x', 'y', 'é', '1', '-', ' ', '\n', 'w'),
          maxLength: 40,
        }),
        (re, text) => {
          const native = new RegExp(re.source, re.flags).exec(text);
          const bounded = execBounded(new RegExp(re.source, re.flags), text);
          expect(bounded === null).toBe(native === null);
          if (native && bounded) {
            expect([...bounded]).toEqual([...native]);
            expect(bounded.index).toBe(native.index);
            expect({ ...bounded.groups }).toEqual({ ...native.groups });
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the helper thread also starts in a process run with --input-type=module', () => {
    const mod = fileURLToPath(new URL('../../../dist/src/tube/bounded-regex.js', import.meta.url));
    const source = `import { execBounded } from ${JSON.stringify(mod)};
      console.log(execBounded(/(a)\\1/i, 'xAa')?.[0]);`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', source], { encoding: 'utf8' });
    expect(out).toBe('Aa\n');
  });
});
