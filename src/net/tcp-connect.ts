import { formatHostPort } from './errno.js';
import { raceAttempts } from './happy-eyeballs.js';
import { resolveAll, resolveHost, sourceFor } from './resolve.js';
import { startTcpAttempt } from './tcp-attempt.js';
import { TcpChannel } from './tcp-channel.js';
import type { BorrowedReads } from './tcp-channel-options.js';
import type { TransportOptions } from './transport-options.js';

export type TcpConnectOptions = TransportOptions & { borrowedReads?: BorrowedReads };

/**
 * Opens a TCP connection: every address of the name is tried, Happy Eyeballs style
 * (happy-eyeballs.ts), each attempt with every socket option in place before its SYN
 * (tcp-attempt.ts); -w bounds them all together, and the TLS handshake after them.
 */
export async function connectTcp(
  host: string,
  port: number,
  options: TcpConnectOptions,
): Promise<TcpChannel> {
  // Through a proxy, the TCP connection is to the proxy; the tunnel then reaches host:port.
  const proxy = options.proxy;
  const hop = proxy ? { host: proxy.host, port: proxy.port } : { host, port };
  // -s picks the family: only the addresses an address of that family can reach are tried.
  const local =
    options.source === undefined
      ? undefined
      : await resolveHost(options.source, options.sourcePort ?? 0, undefined, 'bind', options.noDns);
  const all = await resolveAll(hop.host, hop.port, options.family, 'connect', options.noDns);
  const targets = local ? sourceFor(options.source!, local, all) : all;
  const started = Date.now();
  const { value, target } = await raceAttempts(
    targets,
    (t) => startTcpAttempt(t, hop.port, options, local?.address),
    { host: hop.host, port: hop.port, waitMs: options.waitMs },
  );
  const { socket, native } = value;
  const label = formatHostPort(target.address, hop.port);
  if (proxy) {
    // Loaded before the socket flows: no await may come between resume() and the tunnel's reader.
    const { openTunnel } = await import('./proxy/proxy-tunnel.js');
    if (native) socket.resume();
    const left =
      options.waitMs === undefined ? undefined : Math.max(1, options.waitMs - (Date.now() - started));
    await openTunnel(socket, proxy, host, port, options.family, left);
  }
  const common = {
    linger: options.socket.linger,
    idleTimeoutMs: options.idleTimeoutMs,
    host,
    role: 'client' as const,
    peer: { address: target.address, port: hop.port, family: target.family === 6 ? 'IPv6' : 'IPv4' },
  };
  if (options.tls?.enabled) {
    // -w bounds connecting and the handshake together.
    const left =
      options.waitMs === undefined ? undefined : Math.max(1, options.waitMs - (Date.now() - started));
    const { secureClient } = await import('./tls/tls-handshake.js');
    const secured = await secureClient(socket, options.tls, host, label, left);
    return new TcpChannel(secured.socket, { ...common, tls: secured.info, tlsOptions: options.tls });
  }
  if (native && !proxy) socket.resume();
  // The reused read buffer moves the descriptor to a new socket: bytes a proxy's reply left
  // buffered in this one would stay behind.
  return new TcpChannel(socket, {
    ...common,
    borrowedReads: proxy ? false : options.borrowedReads,
    tlsOptions: options.tls ?? {},
  });
}
