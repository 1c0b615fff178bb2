import { NetError } from '../errors.js';
import { NativeCallError } from './native.js';

/** What the socket call was doing, so the same errno can be explained for that situation. */
export type NetOperation = 'connect' | 'bind' | 'listen' | 'send' | 'recv' | 'resolve' | 'setsockopt';

const MEANINGS: Record<string, string | Partial<Record<NetOperation | 'default', string>>> = {
  ECONNREFUSED: {
    default: 'nothing is listening there (the peer answered SYN with RST)',
    send: 'the peer port is closed (ICMP port unreachable came back)',
    recv: 'the peer port is closed (ICMP port unreachable came back)',
  },
  ECONNRESET: 'the peer reset the connection (RST: it aborted, or closed with data unread)',
  ECONNABORTED: 'the connection was aborted on this host',
  EPIPE: 'the peer closed the connection while data was still being sent',
  ETIMEDOUT: {
    default: 'SYN unanswered (host down or a firewall drops it)',
    send: 'the peer stopped acknowledging (retransmissions or keepalive probes went unanswered)',
    recv: 'the peer stopped acknowledging (retransmissions or keepalive probes went unanswered)',
  },
  EHOSTUNREACH: 'no route to the host (it is down, or a router says it cannot be reached)',
  ENETUNREACH: 'no route to that network (check the address and the routing table)',
  EHOSTDOWN: 'the host is down',
  ENETDOWN: 'the network interface is down',
  EADDRINUSE: {
    default: 'a listener owns that port; try another --source-port',
    listen:
      'another socket already listens on that port; pick another port, or use --reuseport on every listener',
    bind: 'a socket owns that port; try another --source-port, or --reuseaddr if it is only TIME_WAIT',
  },
  EADDRNOTAVAIL: {
    default:
      'no interface has that address, or that source port and peer are still in TIME_WAIT from the last connection (wait up to 60s or pick another --source-port)',
    listen: 'no interface on this machine has that address',
  },
  EACCES: {
    default: 'permission denied',
    bind: 'permission denied: ports below 1024 need root or CAP_NET_BIND_SERVICE',
    listen: 'permission denied: ports below 1024 need root or CAP_NET_BIND_SERVICE',
    send: 'permission denied (sending to a broadcast address needs SO_BROADCAST, or a firewall rule rejects it)',
  },
  EPERM: 'operation not permitted (a firewall rule, or a privilege this process lacks)',
  ENOTFOUND: 'bad host name: no such host in DNS or /etc/hosts',
  EAI_AGAIN: 'host name lookup failed for now (DNS did not answer)',
  EAI_NONAME: 'bad host name: no such host',
  EAFNOSUPPORT: 'address family not supported here (is IPv6 enabled?)',
  EMSGSIZE: 'the datagram is larger than the path allows',
  ENOBUFS: 'the kernel ran out of buffer space',
  ENOPROTOOPT: 'the kernel does not support this option on this socket',
  EINVAL: 'the kernel rejected the value',
  ENOTSUP: 'not supported on this platform',
  EOPNOTSUPP: 'not supported on this socket',
  ENOTCONN: 'the socket is not connected',
  EBADF: 'the socket is already closed',
};

/** The usual meaning of an errno in this situation, or undefined when it is not a known one. */
export function errnoMeaning(code: string, op: NetOperation): string | undefined {
  const m = MEANINGS[code];
  if (m === undefined) return undefined;
  if (typeof m === 'string') return m;
  return m[op] ?? m.default;
}

/** Turns a Node or libc error into `code` and a short explanation. */
export function describeNativeError(
  err: unknown,
  op: NetOperation = 'setsockopt',
): { code: string; text: string } {
  const code = errorCode(err);
  const meaning = errnoMeaning(code, op);
  return {
    code,
    text: meaning ? `${code}: ${meaning}` : `${code}: ${(err as Error)?.message ?? String(err)}`,
  };
}

export function errorCode(err: unknown): string {
  if (err instanceof NativeCallError) return err.code;
  const e = err as NodeJS.ErrnoException | undefined;
  if (e && typeof e.code === 'string') return e.code;
  return 'EIO';
}

/**
 * The one-line error of design section 2:
 * `connect 127.0.0.1:9: ECONNREFUSED: nothing is listening there (the peer answered SYN with RST)`.
 */
export function netError(op: NetOperation, target: string, err: unknown, detail = ''): NetError {
  if (err instanceof NetError) return err;
  const { code, text } = describeNativeError(err, op);
  const [name, ...rest] = text.split(': ');
  const suffix = detail ? ` ${detail}` : '';
  return new NetError(`${op} ${target}: ${name}${suffix}: ${rest.join(': ')}`, code, { cause: err });
}

/** `host:port`, with brackets around IPv6 literals. */
export function formatHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
