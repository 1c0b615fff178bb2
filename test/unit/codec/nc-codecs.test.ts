import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CrlfEncoder } from '../../../src/codec/crlf.js';
import { parsePortList } from '../../../src/codec/port-list.js';

describe('parsePortList (nc -z port lists)', () => {
  it('takes ports, ranges and lists, in order, each once', () => {
    expect(parsePortList('80')).toEqual([80]);
    expect(parsePortList('20-23,80,443')).toEqual([20, 21, 22, 23, 80, 443]);
    expect(parsePortList('5,1-3,2')).toEqual([5, 1, 2, 3]);
  });

  it('refuses what is not a port list, in one line naming the part', () => {
    expect(() => parsePortList('80,x')).toThrow("port: 'x' is not a port or a range");
    expect(() => parsePortList('0')).toThrow(/out of range/);
    expect(() => parsePortList('70000')).toThrow(/out of range/);
    expect(() => parsePortList('25-20')).toThrow(/runs backwards; write 20-25/);
    expect(() => parsePortList('')).toThrow(/not a port/);
  });

  it('never throws anything but a usage error (fuzz)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (s) => {
        try {
          const ports = parsePortList(s);
          for (const p of ports) expect(p >= 1 && p <= 65535).toBe(true);
        } catch (err) {
          expect((err as Error).name).toBe('UsageError');
        }
      }),
    );
  });
});

describe('CrlfEncoder (nc -C)', () => {
  it('turns LF into CRLF and leaves CRLF alone, across chunk boundaries', () => {
    const e = new CrlfEncoder();
    expect(e.encode(Buffer.from('a\nb\r\n')).toString()).toBe('a\r\nb\r\n');
    expect(e.encode(Buffer.from('x\r')).toString()).toBe('x\r');
    expect(e.encode(Buffer.from('\ny')).toString()).toBe('\ny');
  });

  it('however the input is cut, the output is the same, and has no bare LF', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.array(fc.nat(200), { maxLength: 5 }),
        (bytes, cuts) => {
          const whole = new CrlfEncoder().encode(bytes);
          const e = new CrlfEncoder();
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          const parts: Buffer[] = [];
          let at = 0;
          for (const p of [...points, bytes.length]) {
            parts.push(e.encode(bytes.subarray(at, p)));
            at = p;
          }
          expect(Buffer.concat(parts).equals(whole)).toBe(true);
          for (let i = 0; i < whole.length; i++) if (whole[i] === 0x0a) expect(whole[i - 1]).toBe(0x0d);
        },
      ),
    );
  });
});
