import type { Channel, Endpoint, Protocol } from '../net/channel.js';
import type { SocketOptionValues } from '../net/socket-options.js';
import type { TlsInfo } from '../net/tls/tls-info.js';
import type { Timeout } from './timeout.js';

export interface CallOptions {
  /** Overrides the scoped default (see withTimeout) for this call. */
  timeout?: Timeout;
  /** Overrides the tube's encoding for this call's text and regex patterns. */
  encoding?: string;
  /** Gives up waiting when aborted (a CancelledError); what arrived stays buffered. */
  signal?: AbortSignal;
}

export interface TubeOptions {
  /** Default timeout of every receive (default 10s, as a script's expect). */
  timeout?: Timeout;
  /** Encoding of text sent and of text and regex patterns (default utf8). */
  encoding?: string;
  /** What sendLine appends: `lf` (default), `crlf`, `none`, or any text or bytes. */
  eol?: 'lf' | 'crlf' | 'none' | string | Uint8Array;
  /**
   * Reading from the socket pauses while this many bytes wait unconsumed and no receive is
   * pending, so a flood fills the kernel's buffers (as in pwntools, which reads only on demand)
   * instead of memory. Default 16 MiB; Infinity never pauses.
   */
  highWaterMark?: number;
  /**
   * At most this many unconsumed bytes are kept; older ones are dropped (a screen that must keep
   * reading whatever the user expects). Default: no limit.
   */
  bufferLimit?: number;
}

export interface TubeInfo {
  id: number;
  proto: Protocol;
  local: Endpoint;
  remote: Endpoint;
  stats: Channel['stats'];
  readClosed: boolean;
  writeClosed: boolean;
  closed: boolean;
  /** Bytes received and not consumed yet. */
  buffered: number;
  /** Every socket option as the kernel reports it; undefined once the socket is closed. */
  options: SocketOptionValues | undefined;
  /** The TLS session (protocol, cipher, ALPN, peer certificate) when the stream is encrypted. */
  tls?: TlsInfo;
}
