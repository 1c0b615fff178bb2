import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { netError } from './errno.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Strips the brackets of `[::1]`, as users write IPv6 literals next to a port. */
export function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * Resolves a host name or literal to one address, honouring -4/-6. A literal of the wrong family
 * is a usage mistake the resolver reports as "no address of that family".
 */
export async function resolveHost(host: string, port: number, family?: 4 | 6): Promise<ResolvedAddress> {
  const name = unbracket(host);
  const literal = isIP(name);
  if (literal !== 0) {
    if (family && literal !== family) {
      throw netError('resolve', name, Object.assign(new Error(), { code: 'EAFNOSUPPORT' }), `(-${family})`);
    }
    return { address: name, family: literal as 4 | 6 };
  }
  try {
    const found = await lookup(name, { family: family ?? 0 });
    return { address: found.address, family: found.family as 4 | 6 };
  } catch (err) {
    throw netError('connect', `${name}:${port}`, err);
  }
}
