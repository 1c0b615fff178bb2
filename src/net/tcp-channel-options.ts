import type { Socket } from 'node:net';
import type { Endpoint } from './channel.js';
import { endpoint, unixEndpoint } from './endpoint.js';
import type { TlsInfo } from './tls/tls-info.js';
import type { TlsOptions, TlsRole } from './tls/tls-options.js';

/** Bytes a 'when-busy' channel reads the ordinary way before it moves onto the reused buffer. */
export const BUSY_BYTES = 256 * 1024;

/** See TcpChannelOptions.borrowedReads. */
export type BorrowedReads = boolean | 'when-busy';

export interface TcpChannelOptions {
  linger?: number;
  idleTimeoutMs?: number;
  /**
   * Pipe mode's fast path: 'data' chunks are views of one reused buffer, valid only during the
   * event; a listener that keeps bytes must copy them. 'when-busy': the channel reads the ordinary
   * way until BUSY_BYTES have come in, then moves onto the buffer (between two chunks); its chunks
   * count as borrowed from the start. For `listen -k`: moving costs a dup(2) and a second Node
   * socket, which a crowd of idle or chatty clients need not pay, while a bulk one still gets the
   * fast path.
   */
  borrowedReads?: BorrowedReads;
  /** TLS settings for a later STARTTLS (and the host name it checks), as given at open time. */
  tlsOptions?: Partial<TlsOptions>;
  /** The host name connected to: SNI and the name checked by STARTTLS. */
  host?: string;
  /** The connection is already TLS (connect or listen with --ssl). */
  tls?: TlsInfo;
  /** Which end this channel is: 'client' when we connected, 'server' when accepted. */
  role?: TlsRole;
  /** A unix domain stream socket: its path names both ends (the peer's is usually unnamed). */
  unix?: { local: string; remote: string };
  /**
   * The address connected to, for when the socket can no longer tell it: a peer that resets at
   * once leaves getpeername() failing before the channel is made, and errors must still name it.
   */
  peer?: { address: string; port: number; family: string };
}

/** The two ends of a new channel: a unix socket's by path, a TCP one's as the socket or `peer` tells. */
export function channelEnds(
  socket: Socket,
  options: TcpChannelOptions,
): { local: Endpoint; remote: Endpoint } {
  if (options.unix)
    return { local: unixEndpoint(options.unix.local), remote: unixEndpoint(options.unix.remote) };
  return {
    local: endpoint(socket.localAddress, socket.localPort, socket.localFamily),
    remote: endpoint(
      socket.remoteAddress ?? options.peer?.address,
      socket.remotePort ?? options.peer?.port,
      socket.remoteFamily ?? options.peer?.family,
    ),
  };
}
