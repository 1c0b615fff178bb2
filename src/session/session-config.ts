import type { Protocol } from '../net/channel.js';
import type { TubeOptions } from '../tube/tube.js';
import type { LogLimits } from './event-log.js';
import type { OneWay } from './one-way.js';
import type { Settings } from './settings.js';

export interface SessionConfig {
  mode: 'connect' | 'listen' | 'proxy';
  proto: Protocol;
  settings: Settings;
  /**
   * `recv`: every send is refused (sendNow throws RECV_ONLY_REFUSAL). `send`: what arrives is
   * counted and kept for /expect, but the views leave it out (see hiddenDir), as pipe mode writes
   * none of it to standard output.
   */
  oneWay?: OneWay;
  /** listen: keep accepting after the first client. */
  keepOpen?: boolean;
  /** listen: relay what each client sends to every other client (ncat --broker). */
  broker?: boolean;
  /** Fill DataEvent.text with the stateful decoder (the JSON writer wants it; the screen does not). */
  decodeText?: boolean;
  logLimits?: LogLimits;
  /** How often the kernel's view (state, queues, RTT) is refreshed; 0 turns it off. */
  kernelRefreshMs?: number;
  /**
   * How each connection's tube keeps what is not consumed. The default suits a screen that must
   * keep reading: at most 1 MiB, the oldest bytes dropped. A script reads on demand instead, as
   * pwntools does: reading pauses while 16 MiB wait (`{}`).
   */
  receive?: Pick<TubeOptions, 'bufferLimit' | 'highWaterMark'>;
  /** close() leaves the connections open: they were lent by interactive() and go back to their owner. */
  keepConnections?: boolean;
}
