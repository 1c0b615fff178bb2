import { NetError } from '../errors.js';
import { resolveHost } from './resolve.js';

/**
 * Where a listener binds, and binding there. With no address and neither -4 nor -6, sockrepl
 * listens as ncat does: one socket on 0.0.0.0 and one on [::] (IPV6_V6ONLY), on the same port,
 * for TCP and UDP alike, so `nc ::1 8888` and a client that tries `localhost` as ::1 first both
 * reach it. One socket per family (rather than one dual-stack socket) keeps IPv4 peers' addresses
 * plain (127.0.0.1, not ::ffff:127.0.0.1) and behaves the same where the system's default for
 * IPV6_V6ONLY is on. A machine without IPv6 gets the IPv4 socket alone, and a remark for -v.
 */

export interface BindTarget {
  address: string;
  family: 4 | 6;
}

/** The addresses to bind: the given host alone, or the wildcard of each family allowed. */
export async function listenTargets(
  host: string | undefined,
  port: number,
  family: 4 | 6 | undefined,
  numericOnly = false,
): Promise<BindTarget[]> {
  if (host !== undefined) return [await resolveHost(host, port, family, 'listen', numericOnly)];
  if (family === 4) return [{ address: '0.0.0.0', family: 4 }];
  if (family === 6) return [{ address: '::', family: 6 }];
  return [
    { address: '0.0.0.0', family: 4 },
    { address: '::', family: 6 },
  ];
}

/** Errors that mean "this machine has no IPv6" rather than "something is wrong". */
const NO_IPV6 = new Set(['EAFNOSUPPORT', 'EPROTONOSUPPORT', 'EADDRNOTAVAIL', 'ENETUNREACH']);
/** How often a port asked as 0 is drawn again when the other family's socket finds it taken. */
const PORT_DRAWS = 8;

export interface Bound<S> {
  socket: S;
  port: number;
}

export interface BoundAll<S> {
  sockets: S[];
  /** Said with -v: why a family is missing (no IPv6 here). */
  remark?: string;
}

/**
 * Binds one socket per target, all on one port: the first decides it (when 0 was asked), the
 * others follow. A port the second family finds taken is drawn again when 0 was asked; an explicit
 * one is an error, as is any other failure, except a missing IPv6 stack on a wildcard listener.
 */
export async function bindAll<S>(
  targets: readonly BindTarget[],
  port: number,
  bind: (target: BindTarget, port: number) => Promise<Bound<S>>,
  close: (socket: S) => Promise<void>,
): Promise<BoundAll<S>> {
  for (let draw = 1; ; draw++) {
    const sockets: S[] = [];
    let chosen = port;
    let remark: string | undefined;
    try {
      for (const [i, target] of targets.entries()) {
        try {
          const b = await bind(target, chosen);
          sockets.push(b.socket);
          if (i === 0) chosen = b.port;
        } catch (err) {
          const code = err instanceof NetError ? err.code : '';
          const wildcardSix = i > 0 && target.family === 6 && target.address === '::';
          if (!wildcardSix || !NO_IPV6.has(code)) throw err;
          remark = `IPv6 is not available here (${code}): listening on IPv4 only`;
        }
      }
      return { sockets, remark };
    } catch (err) {
      await Promise.all(sockets.map(close));
      const again = port === 0 && draw < PORT_DRAWS && err instanceof NetError && err.code === 'EADDRINUSE';
      if (!again) throw err;
    }
  }
}
