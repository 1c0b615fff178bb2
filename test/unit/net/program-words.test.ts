import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { describeArgv, describeExit } from '../../../src/net/program.js';
import { parseSignal, signalName } from '../../../src/net/signals.js';
import { parsePtySize } from '../../../src/options/program-rows.js';

describe('signal names', () => {
  it('takes INT, SIGINT, sigint and 2 alike', () => {
    for (const w of ['INT', 'SIGINT', 'sigint', ' int ', '2']) expect(parseSignal(w)).toBe('SIGINT');
    expect(parseSignal('9')).toBe('SIGKILL');
    expect(signalName(15)).toBe('SIGTERM');
  });

  it('refuses what is no signal, with examples', () => {
    expect(() => parseSignal('NOPE')).toThrow("'NOPE' is not a signal (e.g. INT, TERM");
    expect(() => parseSignal('999')).toThrow(UsageError);
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (w) => {
        try {
          expect(parseSignal(w)).toMatch(/^SIG[A-Z0-9]+$/);
        } catch (err) {
          expect(err).toBeInstanceOf(UsageError);
        }
      }),
    );
  });
});

describe('--pty-size', () => {
  it('takes 120x40, 120X40, 120,40', () => {
    for (const t of ['120x40', '120X40', ' 120 x 40 ', '120,40'])
      expect(parsePtySize(t)).toEqual({ cols: 120, rows: 40 });
  });

  it('refuses sizes no terminal has', () => {
    for (const t of ['0x10', '10x0', '120', 'axb', '10000x10', '-1x5'])
      expect(() => parsePtySize(t)).toThrow(/is not a terminal size/);
  });

  it('is a size or a usage error for any text (fuzz)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (t) => {
        try {
          const s = parsePtySize(t);
          expect(s.cols).toBeGreaterThan(0);
          expect(s.rows).toBeGreaterThan(0);
        } catch (err) {
          expect(err).toBeInstanceOf(UsageError);
        }
      }),
    );
  });
});

describe('how programs are described', () => {
  it('quotes what a shell would split', () => {
    expect(describeArgv(['sh', '-c', "echo 'hi'; cat"])).toBe(`sh -c 'echo '\\''hi'\\''; cat'`);
    expect(describeExit({ code: 0, signal: null })).toBe('exited with code 0');
    expect(describeExit({ code: null, signal: 'SIGHUP' })).toBe('killed by SIGHUP');
  });
});
