import { UsageError } from '../errors.js';
import { PROXY_TYPES, type ProxyOptions, type ProxyType } from '../net/proxy/proxy-options.js';
import type { ConnectionOptions } from './connection-options.js';
import type { CommandName, OptionRow } from './option-types.js';

/**
 * Connecting through a proxy, with ncat's names: `--proxy host:port`, `--proxy-type
 * socks4|socks5|http` (default http, as ncat), `--proxy-auth user:pass`, `--proxy-dns
 * local|remote`. nc's `-x`/`-X` are not taken: `-x` is the hex dump here, as in ncat's family of
 * flags (the README's flag table says so). The proxy's `--upstream-proxy` reaches its backend
 * through one.
 */

const CONNECTING: readonly CommandName[] = ['connect', 'proxy', 'run'];

const proxyOf = (o: Partial<ConnectionOptions>, what: string): ProxyOptions => {
  if (!o.proxy) throw new UsageError(`${what} needs --proxy host:port`);
  return o.proxy;
};

/** `host:port`, `[::1]:1080`; the port defaults to the type's usual one only when given as `host`. */
function parseHostPort(value: string, what: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(value) ?? /^([^:]+):(\d+)$/.exec(value);
  if (!m) throw new UsageError(`${what}: '${value}' is not host:port (e.g. 127.0.0.1:1080, [::1]:3128)`);
  const port = Number(m[2]);
  if (port < 1 || port > 65535) throw new UsageError(`${what}: port ${m[2]} is out of range (1..65535)`);
  return { host: m[1]!, port };
}

/** Rows that need --proxy are checked after all are set: their order on the line is free. */
const pending = new WeakMap<object, ((p: ProxyOptions) => void)[]>();
function later(o: Partial<ConnectionOptions>, apply: (p: ProxyOptions) => void): void {
  if (o.proxy) {
    apply(o.proxy);
    return;
  }
  const list = pending.get(o) ?? [];
  list.push(apply);
  pending.set(o, list);
}

export const PROXY_ROWS: readonly OptionRow[] = [
  {
    name: 'proxy',
    takes: 'required',
    value: 'host:port',
    commands: CONNECTING,
    line: 'connect',
    library: { on: 'connect' },
    upstream: true,
    tcpOnly: true,
    group: 'proxy',
    summary: 'connect through this proxy (ncat --proxy)',
    set: (o, v, what) => {
      const { host, port } = parseHostPort(String(v), what);
      o.proxy = {
        type: o.proxy?.type ?? 'http',
        dns: o.proxy?.dns ?? 'local',
        auth: o.proxy?.auth,
        host,
        port,
      };
      for (const apply of pending.get(o) ?? []) apply(o.proxy);
      pending.delete(o);
    },
    get: (o) =>
      o.proxy
        ? `${o.proxy.host.includes(':') ? `[${o.proxy.host}]` : o.proxy.host}:${o.proxy.port}`
        : undefined,
  },
  {
    name: 'proxy-type',
    takes: 'required',
    value: 'socks4|socks5|http',
    commands: CONNECTING,
    line: 'connect',
    library: { on: 'connect' },
    upstream: true,
    tcpOnly: true,
    group: 'proxy',
    summary: 'the proxy’s protocol (default http, as ncat; socks4 does 4a for names)',
    set: (o, v, what) => {
      const t = String(v)
        .toLowerCase()
        .replace(/^socks4a$/, 'socks4');
      if (!(PROXY_TYPES as readonly string[]).includes(t))
        throw new UsageError(`${what}: '${String(v)}' is not socks4, socks5 or http`);
      later(o, (p) => {
        p.type = t as ProxyType;
      });
    },
    get: (o) => (o.proxy && o.proxy.type !== 'http' ? o.proxy.type : undefined),
  },
  {
    name: 'proxy-auth',
    takes: 'required',
    value: 'user:pass',
    commands: CONNECTING,
    line: 'connect',
    library: { on: 'connect' },
    upstream: true,
    tcpOnly: true,
    group: 'proxy',
    summary: 'credentials for the proxy (HTTP Basic, SOCKS5 user/password, SOCKS4 user id)',
    set: (o, v) => {
      const text = String(v);
      const at = text.indexOf(':');
      const auth =
        at < 0 ? { user: text, password: '' } : { user: text.slice(0, at), password: text.slice(at + 1) };
      later(o, (p) => {
        p.auth = auth;
      });
    },
    get: (o) => (o.proxy?.auth ? `${o.proxy.auth.user}:${o.proxy.auth.password}` : undefined),
  },
  {
    name: 'proxy-dns',
    takes: 'required',
    value: 'local|remote',
    commands: CONNECTING,
    line: 'connect',
    library: { on: 'connect' },
    upstream: true,
    tcpOnly: true,
    group: 'proxy',
    summary: 'who resolves the host name: local (default) or remote (the proxy: SOCKS4a/5, HTTP)',
    set: (o, v, what) => {
      const d = String(v).toLowerCase();
      if (d !== 'local' && d !== 'remote')
        throw new UsageError(`${what}: '${String(v)}' is not local or remote`);
      later(o, (p) => {
        p.dns = d;
      });
    },
    get: (o) => (o.proxy?.dns === 'remote' ? 'remote' : undefined),
  },
];

/** A --proxy-* option given without --proxy: said once all options are read. */
export function checkProxyOptions(o: Partial<ConnectionOptions>, spell: string): void {
  if (pending.has(o)) {
    pending.delete(o);
    proxyOf(o, spell);
  }
}
