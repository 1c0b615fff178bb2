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

/** `127.0.0.1:80`, `[::1]:80`, or a unix socket's path. */
export function formatEndpoint(e: Endpoint): string {
  if (e.family === 'unix') return e.address;
  return e.family === 'IPv6' ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}
