import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { UsageError } from '../errors.js';
import { netError } from './errno.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

type Op = 'connect' | 'listen' | 'bind';

/** Strips the brackets of `[::1]`, as users write IPv6 literals next to a port. */
export function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * Resolves a host name or literal to every address it has, honouring -4/-6, in the order to try
 * them: the system's order (RFC 6724, as getaddrinfo sorts) with the families interleaved, the
 * first address's family first (RFC 8305 section 4), so a dead family costs one attempt, not all.
 * A literal of the wrong family is a usage mistake; with `numericOnly` (-n) a name is refused
 * before any lookup. Errors name what the address was for: `connect` a peer, `listen` on it, or
 * `bind` it as the source (-s).
 */
export async function resolveAll(
  host: string,
  port: number,
  family?: 4 | 6,
  op: Op = 'connect',
  numericOnly = false,
): Promise<ResolvedAddress[]> {
  const name = unbracket(host);
  if (name.trim() === '') throw new UsageError(`${op}: the host name is empty`);
  const literal = isIP(name);
  if (literal !== 0) {
    if (family && literal !== family) {
      // A mismatch of the user's own making, not a missing IPv6 stack.
      throw new UsageError(`${op} ${name}: an IPv${literal} address, but only IPv${family} was asked for`);
    }
    return [{ address: name, family: literal as 4 | 6 }];
  }
  if (numericOnly) {
    throw new UsageError(
      `${op} ${name}: a host name, but name lookups are off (-n): give a numeric IPv4 or IPv6 address`,
    );
  }
  try {
    const found = await lookup(name, { family: family ?? 0, all: true });
    const unique = new Map<string, ResolvedAddress>();
    for (const f of found) unique.set(f.address, { address: f.address, family: f.family as 4 | 6 });
    return interleave([...unique.values()]);
  } catch (err) {
    throw netError(op, `${name}:${port}`, err);
  }
}

/** One address of each family in turn, starting with the family of the first. */
export function interleave(addresses: readonly ResolvedAddress[]): ResolvedAddress[] {
  const first = addresses[0]?.family;
  const a = addresses.filter((x) => x.family === first);
  const b = addresses.filter((x) => x.family !== first);
  const out: ResolvedAddress[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i]) out.push(a[i]!);
    if (b[i]) out.push(b[i]!);
  }
  return out;
}

/** The first address of a host (where one address is all that is used: a listener, a source). */
export async function resolveHost(
  host: string,
  port: number,
  family?: 4 | 6,
  op: Op = 'connect',
  numericOnly = false,
): Promise<ResolvedAddress> {
  return (await resolveAll(host, port, family, op, numericOnly))[0]!;
}

/**
 * The source address for a connection to `target`: resolved like any host, and of the same
 * family (an IPv4 socket cannot bind an IPv6 address, nor the other way round).
 */
export async function resolveSource(
  source: string | undefined,
  port: number,
  target: ResolvedAddress,
  numericOnly = false,
): Promise<string | undefined> {
  if (source === undefined) return undefined;
  const local = await resolveHost(source, port, undefined, 'bind', numericOnly);
  return sourceFor(source, local, [target])[0] && local.address;
}

/**
 * The targets a source address can reach (its own family); none is a usage mistake, said with
 * the first target.
 */
export function sourceFor(
  source: string,
  local: ResolvedAddress,
  targets: readonly ResolvedAddress[],
): ResolvedAddress[] {
  const reachable = targets.filter((t) => t.family === local.family);
  if (reachable.length === 0) {
    const t = targets[0]!;
    throw new UsageError(
      `source ${source}: an IPv${local.family} source cannot reach ${t.address} (IPv${t.family})`,
    );
  }
  return reachable;
}
