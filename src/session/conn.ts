import type { Channel, CloseReason, Direction, Endpoint, Protocol } from '../net/channel.js';
import type { KernelView } from '../net/kernel-view.js';
import type { Frame, Framer } from '../plugin/types.js';
import type { Tube } from '../tube/tube.js';
import type { StreamDecoder } from './text-port.js';

/** One connection of a session: its channel, its one receive engine (the tube), and what is shown. */
export interface Conn {
  readonly id: number;
  readonly channel: Channel;
  readonly proto: Protocol;
  readonly local: Endpoint;
  readonly remote: Endpoint;
  readonly openedAt: number;
  peerEof: boolean;
  closed?: { reason: CloseReason; message?: string; time: number };
  kernel?: KernelView;
  /** Received bytes not consumed yet, and every expect over them (/expect, scripts). */
  readonly tube: Tube;
  /** Whole frames received and not yet consumed by `expect frame`. */
  readonly frames: Frame[];
  /** Per-direction state for display and framing. */
  readonly dirs: Record<Direction, DirState>;
}

export interface DirState {
  /** The last bytes of this direction, for a character split across chunks. */
  prev: Buffer;
  decoder: StreamDecoder | undefined;
  framer: Framer | undefined;
  /**
   * The framer failed to cut this direction into frames: it is shown raw from then on. An
   * outgoing framer still frames what is sent: a view's failure must not change the wire.
   */
  rawView: boolean;
  frameNo: number;
}

export { formatEndpoint } from '../net/endpoint.js';
