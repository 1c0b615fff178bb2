import type { ChannelStats } from './channel.js';
import type { FdRelay } from './fd-relay.js';

/**
 * The relay workers moving a TCP channel's bytes (TcpChannel.relayReadsInto, relaySendsFrom) and
 * what the channel's stats and idle timer need from them. The workers hold duplicates of the
 * socket's descriptor: they must have stopped before FIN or RST can leave.
 */
export class ChannelRelays {
  inbound: FdRelay | undefined;
  outbound: FdRelay | undefined;
  /** Bytes Node moved before a relay took each direction over. */
  private readonly before = { in: 0, out: 0 };
  /** The latest move of an inbound relay that handed reading back (takeInboundBack). */
  private retiredMovedAt = 0;

  get any(): boolean {
    return Boolean(this.inbound || this.outbound);
  }

  /** Starts `relay` on the incoming direction: `source` is the socket, `sink` where bytes go. */
  startInbound(relay: FdRelay, source: number, sink: number, stats: ChannelStats): void {
    this.before.in = stats.bytesIn;
    relay.start(source, sink);
    this.inbound = relay;
  }

  startOutbound(relay: FdRelay, source: number, sink: number, stats: ChannelStats): void {
    this.before.out = stats.bytesOut;
    relay.start(source, sink);
    this.outbound = relay;
  }

  /** Date.now() when a relay last moved bytes either way; 0 if none has. */
  get movedAt(): number {
    return Math.max(this.retiredMovedAt, this.inbound?.movedAt ?? 0, this.outbound?.movedAt ?? 0);
  }

  /** Brings `stats` up to date with what the relays moved. */
  count(stats: ChannelStats): void {
    if (this.inbound) stats.bytesIn = this.before.in + this.inbound.taken;
    if (this.outbound) stats.bytesOut = this.before.out + this.outbound.delivered;
    if (this.any) stats.lastActivityAt = Date.now();
  }

  /**
   * Stops the inbound relay and lets it go, its bytes counted in `stats`: resolves with true once
   * every byte it took is in its sink, false when there was none (or another call let it go).
   */
  async takeInboundBack(stats: ChannelStats): Promise<boolean> {
    const relay = this.inbound;
    if (!relay) return false;
    await relay.stop();
    if (this.inbound !== relay) return false;
    stats.bytesIn = this.before.in + relay.taken;
    this.retiredMovedAt = Math.max(this.retiredMovedAt, relay.movedAt);
    this.inbound = undefined;
    return true;
  }

  /** Resolves once both relays (those there are) have stopped. */
  async stop(): Promise<void> {
    await Promise.all([this.inbound?.stop(), this.outbound?.stop()]);
  }

  /** Runs `then` once the relays have stopped: at once when there are none. */
  after(then: () => void): void {
    if (this.any) void this.stop().then(then);
    else then();
  }
}
