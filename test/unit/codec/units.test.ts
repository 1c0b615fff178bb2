import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, parseInteger, parseSize } from '../../../src/codec/units.js';

describe('parseDuration', () => {
  it('reads the forms of design section 2; a bare number is seconds, as in nc', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('2s')).toBe(2000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('1m')).toBe(60_000);
    expect(parseDuration('3')).toBe(3000);
  });

  it('rejects anything else with a message naming the option', () => {
    expect(() => parseDuration('soon', '--wait')).toThrow("--wait: 'soon' is not a duration");
    expect(() => parseDuration('-1s')).toThrow(/not a duration/);
    // Longer than a Node timer can wait: it would fire after 1 ms instead.
    expect(parseDuration('596h')).toBe(596 * 3_600_000);
    expect(() => parseDuration('3000000s', '-i')).toThrow("-i: '3000000s' is too long (at most 596h)");
  });

  it('round-trips through formatDuration', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (ms) => {
        expect(Math.abs(parseDuration(formatDuration(ms)) - ms)).toBeLessThanOrEqual(ms >= 60_000 ? 600 : 1);
      }),
    );
  });

  it('formats a measured (fractional) time as a user would type it', () => {
    expect(formatDuration(507.8314)).toBe('508ms');
    expect(formatDuration(0.4)).toBe('0ms');
    expect(formatDuration(999.7)).toBe('1s');
    expect(formatDuration(1234.5678)).toBe('1.235s');
    fc.assert(
      fc.property(fc.double({ min: 0, max: 10_000_000, noNaN: true }), (ms) => {
        expect(formatDuration(ms)).toMatch(/^\d+(\.\d{1,3})?(ms|s|m)$/);
      }),
    );
  });
});

describe('parseSize', () => {
  it('binary multiples', () => {
    expect(parseSize('64k')).toBe(65536);
    expect(parseSize('1m')).toBe(1 << 20);
    expect(parseSize('1g')).toBe(1 << 30);
    expect(parseSize('4096')).toBe(4096);
    expect(parseSize('2KiB')).toBe(2048);
    expect(() => parseSize('lots')).toThrow(/not a size/);
  });
});

describe('parseInteger', () => {
  it('checks bounds', () => {
    expect(parseInteger('42', '--ttl', 1, 255)).toBe(42);
    expect(() => parseInteger('256', '--ttl', 1, 255)).toThrow('--ttl: 256 is out of range (1..255)');
    expect(() => parseInteger('4x', '--ttl', 1, 255)).toThrow("--ttl: '4x' is not a whole number");
  });
});

describe('hex numbers', () => {
  it('are taken wherever a number is: integers, sizes, bare durations', () => {
    expect(parseInteger('0x10', '--tos', 0, 255)).toBe(16);
    expect(parseInteger('0XfF', '--tos', 0, 255)).toBe(255);
    expect(() => parseInteger('0x100', '--tos', 0, 255)).toThrow('--tos: 256 is out of range (0..255)');
    expect(parseSize('0x1000')).toBe(4096);
    expect(parseDuration('0x10')).toBe(16_000);
    expect(() => parseInteger('0x', '--ttl', 1, 255)).toThrow("--ttl: '0x' is not a whole number");
    expect(() => parseInteger('0xg1', '--ttl', 1, 255)).toThrow(/not a whole number/);
  });

  it('agree with their decimal spelling for any value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (n) => {
        expect(parseInteger(`0x${n.toString(16)}`, 'n', 0, 2 ** 31 - 1)).toBe(
          parseInteger(String(n), 'n', 0, 2 ** 31 - 1),
        );
        expect(parseSize(`0x${n.toString(16)}`)).toBe(parseSize(String(n)));
      }),
    );
  });

  it('sizes too large to be meant are refused, not allocated', () => {
    expect(() => parseSize('99999999999999999999g')).toThrow(/too large/);
  });
});
