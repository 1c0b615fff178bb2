import type { Channel } from './channel.js';
import type { Listener } from './listener.js';
import { connectTcp } from './tcp-connect.js';
import { listenTcp } from './tcp-listen.js';
import type { ListenTransportOptions, TransportOptions } from './transport-options.js';
import { connectUdp } from './udp.js';
import { listenUdp } from './udp-listen.js';

/**
 * The one door to the transports: every front end (pipe mode, sessions, the proxy's both sides,
 * the library) opens connections and listeners here, and a new transport is a new branch here,
 * not in each of them.
 */

export interface OpenOptions {
  udp: boolean;
  /** Pipe mode's fast path: 'data' chunks are views of one reused buffer (TCP; see TcpChannel). */
  borrowedReads?: boolean;
}

export function openConnection(
  host: string,
  port: number,
  options: TransportOptions & OpenOptions,
): Promise<Channel> {
  return options.udp ? connectUdp(host, port, options) : connectTcp(host, port, options);
}

export function openListener(
  host: string | undefined,
  port: number,
  options: ListenTransportOptions & OpenOptions,
): Promise<Listener> {
  return options.udp ? listenUdp(host, port, options) : listenTcp(host, port, options);
}
