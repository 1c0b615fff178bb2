import { isIP, type Socket } from 'node:net';
import { NetError } from '../../errors.js';
import { formatHostPort } from '../errno.js';
import { resolveHost } from '../resolve.js';
import { httpConnect } from './http-connect.js';
import type { ProxyOptions } from './proxy-options.js';

/**
 * Asks the proxy, over a socket already connected to it, for a tunnel to host:port. SOCKS4, 4a
 * and 5 are the `socks` package's (a well-kept client); HTTP CONNECT is a dozen lines here.
 * Errors name the proxy's own reply (a SOCKS reply code, an HTTP status line).
 */
export async function openTunnel(
  socket: Socket,
  proxy: ProxyOptions,
  host: string,
  port: number,
  family?: 4 | 6,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<void> {
  const label = `proxy ${formatHostPort(proxy.host, proxy.port)} (${proxy.type}) to ${formatHostPort(host, port)}`;
  // Local DNS: the proxy is given an address, resolved here.
  const destination =
    proxy.dns === 'local' && !isIP(host) ? (await resolveHost(host, port, family)).address : host;
  if (proxy.type === 'http')
    return withTimeout(httpConnect(socket, proxy, destination, port, label), socket, label, timeoutMs);
  const { SocksClient } = await import('socks');
  try {
    await SocksClient.createConnection({
      command: 'connect',
      existing_socket: socket,
      timeout: timeoutMs,
      destination: { host: destination, port },
      proxy: {
        host: proxy.host,
        port: proxy.port,
        type: proxy.type === 'socks4' ? 4 : 5,
        userId: proxy.auth?.user,
        password: proxy.auth?.password,
      },
    });
  } catch (err) {
    socket.destroy();
    throw new NetError(`${label}: ${socksReason(err)}`, 'EPROXY', { cause: err });
  }
  // Held until the channel reads: nothing the destination says first is lost.
  socket.pause();
}

/** How long a proxy may take to answer its handshake when -w does not say. */
const DEFAULT_TIMEOUT_MS = 30_000;

function withTimeout(p: Promise<void>, socket: Socket, label: string, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      socket.destroy();
      reject(
        new NetError(
          `${label}: ETIMEDOUT after ${ms / 1000}s: the proxy never answered (is it an HTTP proxy?)`,
          'ETIMEDOUT',
        ),
      );
    }, ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** The socks package's message, with the reply in words a user acts on. */
function socksReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const reply = /- (\w+)$/.exec(message)?.[1];
  const words: Record<string, string> = {
    Failure: 'general failure (SOCKS reply 1)',
    NotAllowed: 'not allowed by the proxy\u2019s rules (SOCKS reply 2)',
    NetworkUnreachable: 'network unreachable from the proxy (SOCKS reply 3)',
    HostUnreachable: 'host unreachable from the proxy (SOCKS reply 4)',
    ConnectionRefused: 'connection refused by the destination (SOCKS reply 5)',
    TTLExpired: 'TTL expired (SOCKS reply 6)',
    CommandNotSupported: 'command not supported (SOCKS reply 7)',
    AddressNotSupported: 'address type not supported; try --proxy-dns local (SOCKS reply 8)',
    Rejected: 'request rejected or failed (SOCKS4 reply 91)',
  };
  if (reply && words[reply]) return `the proxy answered: ${words[reply]}`;
  if (/authentication/i.test(message))
    return `the proxy refused the authentication (${message}); check --proxy-auth`;
  if (/no acceptable|NoAcceptable/i.test(message))
    return 'the proxy accepts none of our authentication methods (--proxy-auth user:pass?)';
  if (/timed? ?out/i.test(message))
    return `the proxy never answered the SOCKS handshake (${message}); is it a SOCKS proxy?`;
  if (/closed|ECONNRESET/i.test(message))
    return `the proxy closed the connection (${message}); is it a SOCKS proxy?`;
  return message;
}
