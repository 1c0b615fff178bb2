import { BlockList } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { parseAccessEntry, plainAddress, splitAccessList } from '../../../src/net/access-entry.js';
import { AccessList } from '../../../src/net/access-list.js';

describe('--allow/--deny entries', () => {
  it('takes addresses, CIDR ranges, last-octet ranges and host names', () => {
    expect(parseAccessEntry('10.0.0.5')).toEqual({ kind: 'address', address: '10.0.0.5', family: 4 });
    expect(parseAccessEntry('[::1]')).toEqual({ kind: 'address', address: '::1', family: 6 });
    expect(parseAccessEntry('10.0.0.0/8')).toEqual({
      kind: 'subnet',
      network: '10.0.0.0',
      prefix: 8,
      family: 4,
    });
    expect(parseAccessEntry('fd00::/8')).toEqual({ kind: 'subnet', network: 'fd00::', prefix: 8, family: 6 });
    expect(parseAccessEntry('192.168.1.10-20')).toEqual({
      kind: 'range',
      start: '192.168.1.10',
      end: '192.168.1.20',
    });
    expect(parseAccessEntry('192.168.1.*')).toEqual({
      kind: 'range',
      start: '192.168.1.0',
      end: '192.168.1.255',
    });
    expect(parseAccessEntry('localhost')).toEqual({ kind: 'host', name: 'localhost' });
  });

  it('refuses the rest in one line naming the option', () => {
    expect(() => parseAccessEntry('10.0.0.0/33')).toThrow("--allow: '10.0.0.0/33' is not a CIDR range");
    expect(() => parseAccessEntry('1.2.3.4.5', '--deny')).toThrow(
      /^--deny: '1\.2\.3\.4\.5' is not an address/,
    );
    expect(() => parseAccessEntry('192.168.1.20-10')).toThrow(/is not an address/);
    expect(() => parseAccessEntry('a b')).toThrow(/is not an address/);
  });

  it('splits lists and files: commas, blanks, lines, # comments', () => {
    expect(splitAccessList('10.0.0.1,10.0.0.2  ::1\n# a comment\n127.0.0.0/8 # trailing\n')).toEqual([
      '10.0.0.1',
      '10.0.0.2',
      '::1',
      '127.0.0.0/8',
    ]);
  });

  it('checks IPv4 clients of a dual-stack listener as IPv4', () => {
    expect(plainAddress('::ffff:10.1.2.3')).toBe('10.1.2.3');
    const allow = new BlockList();
    allow.addSubnet('10.0.0.0', 8, 'ipv4');
    const deny = new BlockList();
    deny.addAddress('10.0.0.9', 'ipv4');
    const list = new AccessList(allow, deny);
    expect(list.refusal('::ffff:10.1.2.3')).toBeUndefined();
    expect(list.refusal('10.0.0.9')).toBe('its address is denied (--deny)');
    expect(list.refusal('192.168.0.1')).toBe('its address is not allowed (--allow)');
  });

  it('any text is an entry or a usage error (fuzz)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        try {
          parseAccessEntry(text);
        } catch (err) {
          expect(err).toBeInstanceOf(UsageError);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('a CIDR range contains exactly its addresses (property)', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), fc.ipV4(), (net, prefix, probe) => {
        const e = parseAccessEntry(`${net}/${prefix}`);
        if (e.kind !== 'subnet') throw new Error('not a subnet');
        const list = new BlockList();
        list.addSubnet(e.network, e.prefix, 'ipv4');
        const n = (a: string) => a.split('.').reduce((x, o) => x * 256 + Number(o), 0);
        const mask = prefix === 0 ? 0 : (2 ** 32 - 2 ** (32 - prefix)) >>> 0;
        const inside = (n(net) & mask) >>> 0 === (n(probe) & mask) >>> 0;
        expect(list.check(probe, 'ipv4')).toBe(inside);
      }),
    );
  });
});
