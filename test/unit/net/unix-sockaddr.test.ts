import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sockaddrName, unixSockaddr } from '../../../src/net/unix-dgram.js';

/** sockaddr_un encoding for unix datagram sockets: paths, exact-length abstract names, unnamed. */
describe('unix sockaddr', () => {
  it('a path ends with a NUL; an abstract name has a leading NUL and no padding', () => {
    expect(unixSockaddr('/tmp/x')).toEqual(Buffer.from([1, 0, ...Buffer.from('/tmp/x'), 0]));
    expect(unixSockaddr('@ab')).toEqual(Buffer.from([1, 0, 0, 0x61, 0x62]));
    expect(sockaddrName(Buffer.from([1, 0]))).toBe('');
  });

  it('refuses an empty path and one longer than sun_path', () => {
    expect(() => unixSockaddr('')).toThrow(/empty/);
    expect(() => unixSockaddr(`/${'a'.repeat(107)}`)).toThrow(/longer than 107 bytes/);
  });

  it('decoding what was encoded gives the name back (property)', () => {
    const name = fc.string({ minLength: 1, maxLength: 60 }).filter((s) => !s.includes('\0'));
    fc.assert(
      fc.property(name, fc.boolean(), (s, abstract) => {
        const path = abstract ? `@${s}` : s.startsWith('@') ? `/${s}` : s;
        expect(sockaddrName(unixSockaddr(path))).toBe(path);
      }),
    );
  });

  it('never throws on arbitrary bytes from a peer (fuzz)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        expect(typeof sockaddrName(Buffer.from(bytes))).toBe('string');
      }),
    );
  });
});
