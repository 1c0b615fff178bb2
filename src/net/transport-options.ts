import type { AccessList, AccessRules } from './access-list.js';
import type { ProxyOptions } from './proxy/proxy-options.js';
import type { SocketOptionValues } from './socket-options.js';
import type { TlsOptions } from './tls/tls-options.js';

/**
 * What the transports take: where to bind, which family, the socket options, the timers. It is
 * the net layer's own type, knowing no command-line words; the option vocabulary (options/)
 * resolves flags, script words and library keys into it.
 */
export interface TransportOptions {
  /** Only IPv4 or only IPv6; both when undefined. */
  family?: 4 | 6;
  /** Local address to bind. */
  source?: string;
  /** Local port to bind when connecting. */
  sourcePort?: number;
  socket: SocketOptionValues;
  /** Give up connecting after this long. */
  waitMs?: number;
  /** Close after this long with no traffic either way. */
  idleTimeoutMs?: number;
  /** A unix domain socket's path (`@name`: Linux's abstract namespace) instead of host and port. */
  unix?: string;
  /** Connect through this proxy (TCP only): SOCKS4/4a/5 or HTTP CONNECT. */
  proxy?: ProxyOptions;
  /** TLS over the stream (client when connecting, server when listening); plaintext when undefined. */
  tls?: TlsOptions;
}

export interface ListenTransportOptions extends Omit<TransportOptions, 'sourcePort' | 'waitMs'>, AccessRules {
  /** Turn clients away while this many are connected. */
  maxClients?: number;
  /** The rules built (openListener does it from the AccessRules). */
  access?: AccessList;
}
