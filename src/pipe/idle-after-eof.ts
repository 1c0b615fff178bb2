import type { Channel } from '../net/channel.js';

/**
 * nc's `-w` once standard input has ended: the connection is closed after that long with no
 * traffic either way (`echo x | nc -w1 host port` sends, waits for the reply, quits). Before the
 * end of standard input, -w is only the connect timeout.
 */
export class IdleAfterEof {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly waitMs: number | undefined,
    private readonly channels: () => Iterable<Channel>,
  ) {}

  start(): void {
    if (this.waitMs === undefined || this.timer) return;
    const check = () => {
      const live = [...this.channels()].filter((c) => !c.closed);
      if (live.length === 0) return;
      const last = Math.max(...live.map((c) => c.stats.lastActivityAt));
      const left = last + this.waitMs! - Date.now();
      if (left <= 0) {
        for (const c of live) void c.close();
        return;
      }
      this.timer = setTimeout(check, left);
      this.timer.unref();
    };
    check();
  }

  cancel(): void {
    clearTimeout(this.timer);
  }
}
