import type { Channel } from '../net/channel.js';
import type { ConnectionOptions } from '../options/connection-options.js';

type EofOptions = Pick<
  ConnectionOptions,
  'sendOnly' | 'recvOnly' | 'halfClose' | 'quitAfterMs' | 'closeOnEof'
>;

/**
 * What happens when standard input or the peer's stream ends (the README's EOF table):
 * - `--send-only`: flush, close, quit when standard input ends.
 * - `-N`: shut down the write side (FIN) when standard input ends, and keep receiving.
 * - `-q <dur>`: quit that long after EOF (with -N, after the FIN).
 * - otherwise: keep receiving until the peer closes.
 * The peer's FIN: without -N, nc's rule: the connection closes (a peer that closes is done, the
 * way `nc -l > file` expects it). With -N both sides speak half-close: a FIN means the peer sends
 * no more, not that it reads no more, so standard input keeps going to it until it ends, and then
 * the connection closes (FIN); only an RST stops it early. `--close-on-eof` keeps nc's rule with -N.
 */
export class EofPolicy {
  private timer: NodeJS.Timeout | undefined;
  /** Channels whose peer sent FIN while standard input still had bytes for them. */
  private readonly peerDone = new Set<Channel>();
  ended = false;

  constructor(
    private readonly options: EofOptions,
    private readonly channels: () => Iterable<Channel>,
    /** Called after closing everything for --send-only and -q, where the whole program ends. */
    private readonly quit: () => void = () => {},
  ) {}

  stdinEnded(): void {
    this.ended = true;
    if (this.options.sendOnly) {
      this.closeAll();
      return;
    }
    for (const c of this.channels()) {
      // Both ways are done: close (FIN after everything queued), as nc would have at the peer's FIN.
      if (this.peerDone.has(c)) void c.close();
      else if (this.options.halfClose) c.shutdown('write');
    }
    this.peerDone.clear();
    if (this.options.quitAfterMs !== undefined) {
      this.timer = setTimeout(() => this.closeAll(), this.options.quitAfterMs);
    }
  }

  /**
   * The peer of `channel` sent FIN. Returns true when the channel is closed now; false when it stays
   * open to take the rest of standard input.
   */
  peerEnded(channel: Channel): boolean {
    const nothingToSend = this.ended || this.options.recvOnly || channel.writeClosed;
    if (nothingToSend || !this.options.halfClose || this.options.closeOnEof) {
      void channel.close();
      return true;
    }
    this.peerDone.add(channel);
    channel.once('close', () => this.peerDone.delete(channel));
    return false;
  }

  /** Applies the policy to a channel that opens after standard input already ended. */
  lateChannel(channel: Channel): void {
    if (!this.ended) return;
    if (this.options.sendOnly) void channel.close();
    else if (this.options.halfClose) channel.shutdown('write');
  }

  cancel(): void {
    clearTimeout(this.timer);
  }

  private closeAll(): void {
    for (const c of this.channels()) void c.close();
    this.quit();
  }
}
