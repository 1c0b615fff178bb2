import type { ConnectionOptions, UpstreamSpec } from '../options/connection-options.js';

/**
 * What the CLI asks a session to do: connect to host:port, listen on [host:]port, or proxy:
 * listen on [host:]port and give each client its own connection to `upstream`.
 */
export interface SessionSpec {
  kind: 'connect' | 'listen' | 'proxy';
  host?: string;
  port: number;
  options: ConnectionOptions;
  upstream?: UpstreamSpec;
}
