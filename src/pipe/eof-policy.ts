import type { Channel } from '../net/channel.js';
import type { ConnectionOptions } from '../options/connection-options.js';

/**
 * What happens when standard input ends (the README's EOF table):
 * - `--send-only`: flush, close, quit.
 * - `-N`: shut down the write side (FIN) and keep receiving.
 * - `-q <dur>`: quit that long after EOF (with -N, after the FIN).
 * - otherwise: keep receiving until the peer closes.
 */
export class EofPolicy {
  private timer: NodeJS.Timeout | undefined;
  ended = false;

  constructor(
    private readonly options: Pick<ConnectionOptions, 'sendOnly' | 'halfClose' | 'quitAfterMs'>,
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
    if (this.options.halfClose) for (const c of this.channels()) c.shutdown('write');
    if (this.options.quitAfterMs !== undefined) {
      this.timer = setTimeout(() => this.closeAll(), this.options.quitAfterMs);
    }
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
