import type { PtySize, StderrMode } from '../net/program.js';
import type { SocketOptionValues } from '../net/socket-options.js';
import type { TransportOptions } from '../net/transport-options.js';

/**
 * Everything a connect, listen, proxy or script run is asked to do, resolved and checked: the
 * transport (what net/ takes), the netcat data path, display, plugins and output. The option
 * vocabulary (option-table.ts) fills it from flags, script words or library keys alike.
 */
export interface ConnectionOptions extends TransportOptions {
  udp: boolean;
  halfClose: boolean;
  /** nc's rule: the peer's FIN ends the connection at once, whatever standard input still holds. */
  closeOnEof?: boolean;
  quitAfterMs?: number;
  sendOnly: boolean;
  recvOnly: boolean;
  keepOpen: boolean;
  maxClients?: number;
  broker: boolean;
  hex?: string | true;
  encoding: string;
  endian: 'le' | 'be';
  eol: 'lf' | 'crlf' | 'none';
  frame: string[];
  fault: string[];
  plugin: string[];
  seed?: number;
  json: boolean;
  record?: string;
  pcap?: string;
  tui?: boolean;
  verbose: boolean;
  /** nc -z: check whether ports accept a connection, send nothing. */
  scan?: boolean;
  /** nc -C: LF sent from standard input (and typed lines) becomes CRLF. */
  crlf?: boolean;
  /** -e/-c: the program joined to each connection; `text` as given. */
  exec?: { argv: string[]; text: string };
  /** --pty: the program gets a pseudo-terminal. */
  pty?: boolean;
  ptySize?: PtySize;
  stderr?: StderrMode;
  /** --allow, --deny, --allowfile, --denyfile (net's AccessRules). */
  allow?: string[];
  deny?: string[];
  allowFiles?: string[];
  denyFiles?: string[];
}

/** How a proxy's upstream connections are made: its own bind address and socket options. */
export type UpstreamOptions = TransportOptions & { udp: boolean };

/** Where a proxy sends each client, and how. */
export interface UpstreamSpec {
  host: string;
  port: number;
  options: UpstreamOptions;
}

/** The options with nothing given: what every field means when no flag, word or key sets it. */
export function defaultConnectionOptions(): ConnectionOptions {
  return {
    udp: false,
    socket: {} as SocketOptionValues,
    halfClose: false,
    sendOnly: false,
    recvOnly: false,
    keepOpen: false,
    broker: false,
    encoding: 'utf8',
    endian: 'be',
    eol: 'lf',
    frame: [],
    fault: [],
    plugin: [],
    json: false,
    verbose: false,
    pty: false,
  };
}
