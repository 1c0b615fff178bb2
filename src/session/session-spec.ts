import type { ConnectionOptions } from '../cli/connection-options.js';

/** What the CLI asks a session to do: connect to host:port, or listen on [host:]port. */
export interface SessionSpec {
  kind: 'connect' | 'listen';
  host?: string;
  port: number;
  options: ConnectionOptions;
}
