/**
 * The one-line warning printed with the listening line when sockrepl listens on every interface
 * (the default 0.0.0.0, or ::): any host that can reach this one may connect, and for a proxy
 * that means an open relay to its upstream. Undefined when the address is not a wildcard.
 */
export function exposureWarning(
  address: string,
  upstream?: { host: string; port: number },
): string | undefined {
  if (address !== '0.0.0.0' && address !== '::') return undefined;
  const local = address === '::' ? '::1' : '127.0.0.1';
  if (upstream)
    return `warning: listening on every interface (${address}): this proxy is an open relay to ${upstream.host}:${upstream.port} for any host that can reach this one; -s ${local} keeps it local`;
  return `warning: listening on every interface (${address}): any host that can reach this one may connect; -s ${local} keeps it local`;
}
