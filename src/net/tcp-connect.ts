import { formatHostPort } from './errno.js';
import { raceAttempts } from './happy-eyeballs.js';
import { resolveAll, resolveHost, sourceFor } from './resolve.js';
import { startTcpAttempt } from './tcp-attempt.js';
import { TcpChannel } from './tcp-channel.js';
import { secureClient } from './tls/tls-handshake.js';
import type { TransportOptions } from './transport-options.js';

export type TcpConnectOptions = TransportOptions & { borrowedReads?: boolean };

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
  // -s picks the family: only the addresses an address of that family can reach are tried.
  const local =
    options.source === undefined
      ? undefined
      : await resolveHost(options.source, options.sourcePort ?? 0, undefined, 'bind', options.noDns);
  const all = await resolveAll(host, port, options.family, 'connect', options.noDns);
  const targets = local ? sourceFor(options.source!, local, all) : all;
  const started = Date.now();
  const { value, target } = await raceAttempts(
    targets,
    (t) => startTcpAttempt(t, port, options, local?.address),
    { host, port, waitMs: options.waitMs },
  );
  const { socket, native } = value;
  const label = formatHostPort(target.address, port);
  const common = {
    linger: options.socket.linger,
    idleTimeoutMs: options.idleTimeoutMs,
    host,
    role: 'client' as const,
  };
  if (options.tls?.enabled) {
    // -w bounds connecting and the handshake together.
    const left =
      options.waitMs === undefined ? undefined : Math.max(1, options.waitMs - (Date.now() - started));
    const secured = await secureClient(socket, options.tls, host, label, left);
    return new TcpChannel(secured.socket, { ...common, tls: secured.info, tlsOptions: options.tls });
  }
  if (native) socket.resume();
  return new TcpChannel(socket, {
    ...common,
    borrowedReads: options.borrowedReads,
    tlsOptions: options.tls ?? {},
  });
}
