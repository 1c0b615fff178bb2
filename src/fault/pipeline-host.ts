import type { Direction, Framer, Protocol } from '../plugin/types.js';
import type { FaultClock } from './clock.js';
import type { FaultEntry } from './fault-entry.js';
import type { FaultAction } from './fault-observer.js';

/** What a connection's fault pipeline acts on: a connection, or a test's recorder. */
export interface PipelineHost {
  readonly proto: Protocol;
  readonly clock: FaultClock;
  /** Bytes leaving the last fault: `out` towards the socket, `in` towards the application. */
  deliver(dir: Direction, chunk: Uint8Array): void;
  /** RST once what faults let through has been written. */
  reset(by: FaultEntry): void;
  shutdown(how: 'write' | 'read', by: FaultEntry): void;
  /** Stop (on) or restart (off) reading for one reason; reading runs when no reason holds it. */
  hold(reason: string, on: boolean): void;
  log(by: FaultEntry, message: string): void;
  /** A fault acted: delayed, dropped, cut, reset... (the `fault` events and `/fault stats`). */
  report(by: FaultEntry, action: FaultAction): void;
  /**
   * A fault's code threw (or broke its contract); the pipeline has already taken it out of this
   * connection. `lost`: bytes it held that its onClose did not pass on.
   */
  failed(entry: FaultEntry, err: unknown, where: string, lost?: number): void;
  /** Something moved: what the faults hold may have changed. */
  settled(): void;
  /**
   * A fresh framer when the session frames its traffic (undefined otherwise): a `when=`/`count=`
   * fault then matches whole messages, cut by it, instead of chunks.
   */
  messageFramer?(): Framer | undefined;
}
