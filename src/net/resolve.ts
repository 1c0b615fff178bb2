import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { UsageError } from '../errors.js';
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
 * is a usage mistake the resolver reports as "no address of that family". Errors name what the
 * address was for: `connect` a peer, `listen` on it, or `bind` it as the source (-s).
 */
export async function resolveHost(
  host: string,
  port: number,
  family?: 4 | 6,
  op: 'connect' | 'listen' | 'bind' = 'connect',
): Promise<ResolvedAddress> {
  const name = unbracket(host);
  if (name.trim() === '') throw new UsageError(`${op}: the host name is empty`);
  const literal = isIP(name);
  if (literal !== 0) {
    if (family && literal !== family) {
      // A mismatch of the user's own making, not a missing IPv6 stack.
      throw new UsageError(`${op} ${name}: an IPv${literal} address, but only IPv${family} was asked for`);
    }
    return { address: name, family: literal as 4 | 6 };
  }
  try {
    const found = await lookup(name, { family: family ?? 0 });
    return { address: found.address, family: found.family as 4 | 6 };
  } catch (err) {
    throw netError(op, `${name}:${port}`, err);
  }
}

/**
 * The source address for a connection to `target`: resolved like any host, and of the same
 * family (an IPv4 socket cannot bind an IPv6 address, nor the other way round).
 */
export async function resolveSource(
  source: string | undefined,
  port: number,
  target: ResolvedAddress,
): Promise<string | undefined> {
  if (source === undefined) return undefined;
  const local = await resolveHost(source, port, undefined, 'bind');
  if (local.family !== target.family) {
    throw new UsageError(
      `source ${source}: an IPv${local.family} source cannot reach ${target.address} (IPv${target.family})`,
    );
  }
  return local.address;
}
