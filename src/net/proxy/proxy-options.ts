/** Connecting through a proxy (ncat's --proxy, --proxy-type, --proxy-auth, --proxy-dns). */
export interface ProxyOptions {
  host: string;
  port: number;
  type: ProxyType;
  auth?: { user: string; password: string };
  /**
   * Who resolves the destination's name: `local` (here, then the proxy gets an address, as ncat
   * does by default) or `remote` (the proxy: SOCKS4a, SOCKS5 with a domain name, HTTP).
   */
  dns: 'local' | 'remote';
}

export const PROXY_TYPES = ['socks4', 'socks5', 'http'] as const;
export type ProxyType = (typeof PROXY_TYPES)[number];
