import type { Endpoint } from './channel.js';

/** An IP socket's end as Node reports it (undefined parts when the socket is gone). */
export function endpoint(
  address: string | undefined,
  port: number | undefined,
  family: string | undefined,
): Endpoint {
  return { address: address ?? '', port: port ?? 0, family: family === 'IPv6' ? 'IPv6' : 'IPv4' };
}

/** A unix socket's end: its path, or `(unnamed)` for a client that bound none. */
export function unixEndpoint(path: string): Endpoint {
  return { address: path || '(unnamed)', port: 0, family: 'unix' };
}
