import type { EventEmitter } from 'node:events';
import type { NetError } from '../errors.js';
import type { Channel, Endpoint, Protocol } from './channel.js';

export interface ListenerEventMap {
  /** A new peer: an accepted TCP connection, or the first datagram from a new UDP sender. */
  channel: [channel: Channel];
  /** A peer turned away: the connection limit (--max-conns) was reached, or its TLS handshake failed. */
  refused: [peer: Endpoint, why: string];
  error: [error: NetError];
}

/** A bound listening socket that produces channels (TCP listen, UDP listen). */
export interface Listener extends EventEmitter<ListenerEventMap> {
  readonly proto: Protocol;
  /** The real bound address and port (also when port 0 was asked). */
  readonly address: Endpoint;
  /** The SHA-256 fingerprint of the certificate a TLS listener generated for itself, if it did. */
  readonly tlsFingerprint?: string;
  /** A unix listener removed a stale socket file at its path before binding. */
  readonly removedStale?: boolean;
  /** Channels currently open. */
  readonly channels: ReadonlySet<Channel>;
  /** Stop accepting; open channels stay open. */
  stopAccepting(): void;
  /** Stop accepting and close every open channel. */
  close(): Promise<void>;
}

/** Why a client is turned away at the limit, in words that fit every front end. */
export function limitReached(max: number): string {
  if (max === 0) return 'no client is allowed (the limit is 0)';
  return `${max} client${max === 1 ? ' is' : 's are'} connected, the most allowed`;
}
