import type { TcpListenOptions } from '../../src/net/tcp-listen.js';

/** listenTcp's options with nothing set, then `extra`: what most listener tests start from. */
export function listenOptions(extra: Partial<TcpListenOptions> = {}): TcpListenOptions {
  return { family: undefined, socket: {}, idleTimeoutMs: undefined, maxClients: undefined, ...extra };
}
