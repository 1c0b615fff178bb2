import type { EventEmitter } from 'node:events';
import type { NetError } from '../errors.js';
import type { ProgramControl } from './program.js';
import type { SocketOptionValues } from './socket-options.js';
import type { TlsInfo } from './tls/tls-info.js';
import type { TlsOptions } from './tls/tls-options.js';

/**
 * A channel is one duplex byte stream (TCP) or datagram exchange (UDP) with one peer.
 * Every transport produces channels; pipe mode, the REPL session, scripts and the proxy all
 * consume this one interface (design section 6).
 */

/** `exec`: a local program (pipes or a pseudo-terminal); `unix`: a unix domain stream socket (-U). Both are byte streams like TCP. */
export type Protocol = 'tcp' | 'udp' | 'exec' | 'unix';
export type Direction = 'in' | 'out';

export interface Endpoint {
  address: string;
  port: number;
  /** `unix`: `address` is the socket's path (`@name` for Linux's abstract names), `port` 0. */
  family: 'IPv4' | 'IPv6' | 'unix';
}

/** Why a channel closed: peer FIN after ours or a full close (`eof`), RST, idle timer, our own close. */
export type CloseReason = 'eof' | 'reset' | 'timeout' | 'local' | 'error';

export interface ChannelStats {
  bytesIn: number;
  bytesOut: number;
  chunksIn: number;
  chunksOut: number;
  openedAt: number;
  lastActivityAt: number;
}

export interface ChannelEventMap {
  /** Bytes received: one read for TCP, one datagram for UDP. The buffer is the channel's to give away. */
  data: [chunk: Buffer];
  /** Bytes accepted for sending (after any local queueing). */
  sent: [chunk: Buffer];
  /** The peer shut down its write side (FIN). The channel may still send. */
  end: [];
  /**
   * Our side is ending the connection: `fin` once the write side is shut down (shutdown('write')
   * or a graceful close), `rst` for reset() or a close with SO_LINGER 0. For views that show the
   * wire (the pcap writer); a transport without such a notion may leave it out.
   */
  shutdown: [how: 'fin' | 'rst'];
  /** Writes may resume after send() returned false. */
  drain: [];
  /** The channel is gone; emitted exactly once. `error` is set for reason 'reset' | 'error' | 'timeout'. */
  close: [reason: CloseReason, error?: NetError];
}

export interface Channel extends EventEmitter<ChannelEventMap> {
  readonly id: number;
  readonly proto: Protocol;
  readonly local: Endpoint;
  readonly remote: Endpoint;
  readonly stats: ChannelStats;
  /** True once our write side is shut down (shutdown('write'), close(), or closed). */
  readonly writeClosed: boolean;
  /** True once the peer's FIN arrived (or the channel closed). */
  readonly readClosed: boolean;
  readonly closed: boolean;
  /** The socket's descriptor, for getsockopt and the kernel's view; undefined when closed. */
  readonly fd: number | undefined;
  /** Set when the peer is a local program: its PID, exit status, signals, terminal size. */
  readonly program?: ProgramControl;

  /**
   * Queues bytes; false means the kernel buffer is full, wait for 'drain'. Throws when the write
   * side is closed. `written` runs once the bytes have left for the kernel (or were dropped because
   * the channel closed), after which the caller may reuse the buffer.
   */
  send(data: Uint8Array, written?: () => void): boolean;
  /** Half-close: 'write' sends FIN after queued data; 'read' stops reading (and discards). */
  shutdown(how: 'write' | 'read'): void;
  /** Graceful close: flushes, honours SO_LINGER without blocking the event loop. */
  close(): Promise<void>;
  /** Abortive close: RST at once. */
  reset(): void;
  /** Stop / start reading from the kernel (the peer's writes block once buffers fill). */
  pause(): void;
  resume(): void;
  /** Sets one option of the socket-option table live (`/opt`). */
  setOption(name: keyof SocketOptionValues, value: number | boolean): void;
  /** Every option of the table, as the kernel reports it now. */
  readOptions(): SocketOptionValues;
  /** The TLS session when the stream is encrypted (--ssl, or after startTls). */
  readonly tls?: TlsInfo;
  /**
   * STARTTLS: upgrades the open plaintext stream to TLS in place (stream transports only), as
   * the client when we connected and as the server when we accepted. Bytes before it and after
   * it are plaintext to every reader of the channel.
   */
  startTls?(options?: Partial<TlsOptions>): Promise<TlsInfo>;
}
