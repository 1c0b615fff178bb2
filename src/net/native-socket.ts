import { netError } from './errno.js';
import { nativeSockets } from './native.js';
import { encodeSockaddr } from './sockaddr.js';
import { applySocketOptions, type SocketOptionValues } from './socket-options.js';

/**
 * Creates a socket descriptor ourselves so that options which must precede bind() or connect()
 * (SO_REUSEPORT, buffer sizes for window scaling, TTL/TOS of the SYN) really do, then hands the
 * bound descriptor to Node. Node 20 has no hook between creating a socket and binding it.
 */
export function createBoundSocket(spec: {
  proto: 'tcp' | 'udp';
  family: 4 | 6;
  address: string;
  port: number;
  options: SocketOptionValues;
  /** Listeners always get SO_REUSEADDR, as Node and every server does. */
  reuseaddrDefault?: boolean;
  /** How a bind failure is explained: as a listen (port taken) or as a client's source port. */
  op?: 'bind' | 'listen';
  /** IPv6 only (IPV6_V6ONLY): a listener of one family leaves the other family's port alone. */
  v6only?: boolean;
}): number {
  const api = nativeSockets();
  const { c } = api;
  const fd = api.socket(
    spec.family === 6 ? c.AF_INET6 : c.AF_INET,
    spec.proto === 'tcp' ? c.SOCK_STREAM : c.SOCK_DGRAM,
  );
  try {
    if (spec.reuseaddrDefault && spec.options.reuseaddr === undefined) {
      api.setInt(fd, c.SOL_SOCKET, c.SO_REUSEADDR, 1);
    }
    if (spec.family === 6 && spec.v6only !== undefined)
      api.setInt(fd, c.IPPROTO_IPV6, c.IPV6_V6ONLY, spec.v6only ? 1 : 0);
    applySocketOptions(fd, spec.options, spec.proto, spec.family === 6);
    if (spec.address !== '' || spec.port !== 0) {
      try {
        api.bind(fd, encodeSockaddr(spec.address, spec.port, c));
      } catch (err) {
        throw netError(
          spec.op ?? 'bind',
          `${spec.family === 6 ? `[${spec.address}]` : spec.address}:${spec.port}`,
          err,
        );
      }
    }
    return fd;
  } catch (err) {
    api.close(fd);
    throw err;
  }
}
