import type { ProgramSpec } from '../net/program.js';
import type { ConnectionOptions, UpstreamSpec } from '../options/connection-options.js';

/**
 * What the CLI asks a session to do: connect to host:port, listen on [host:]port, or proxy:
 * listen on [host:]port and give each client its own connection to `upstream`; or run a local
 * program as the one connection (`exec`; host and port are unused).
 */
export interface SessionSpec {
  kind: 'connect' | 'listen' | 'proxy' | 'exec';
  host?: string;
  port: number;
  options: ConnectionOptions;
  upstream?: UpstreamSpec;
  /** exec: the program. */
  program?: ProgramSpec;
}
