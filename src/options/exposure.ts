/**
 * The one-line warning printed with the listening line when sockrepl listens on every interface
 * (the default 0.0.0.0 and ::, or either): any host that can reach this one may connect, and for
 * a proxy that means an open relay to its upstream. Undefined when no address is a wildcard.
 */
export function exposureWarning(
  addresses: string | readonly string[],
  upstream?: { host: string; port: number },
): string | undefined {
  const wild = (typeof addresses === 'string' ? [addresses] : addresses).filter(
    (a) => a === '0.0.0.0' || a === '::',
  );
  if (wild.length === 0) return undefined;
  const named = wild.join(' and ');
  const local = wild.includes('0.0.0.0') ? '127.0.0.1' : '::1';
  if (upstream)
    return `warning: listening on every interface (${named}): this proxy is an open relay to ${upstream.host}:${upstream.port} for any host that can reach this one; -s ${local} keeps it local`;
  return `warning: listening on every interface (${named}): any host that can reach this one may connect; -s ${local} keeps it local`;
}
