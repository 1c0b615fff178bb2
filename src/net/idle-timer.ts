import type { Socket } from 'node:net';

/**
 * `-i`: a connection that moved no byte either way for `ms` is closed (`onIdle`).
 *
 * While Node alone moves the bytes, Node's socket timer does it, as it always has: it counts every
 * read and write, and a write still draining. Once a relay worker moves a direction (fd-relay.ts),
 * Node sees none of those bytes, so the channel switches to a timer of its own (`watch`): it wakes
 * when the latest activity anywhere (`lastActivity`: what Node read and sent, the writes that
 * completed, the workers' moves) is `ms` old, and otherwise sleeps for the rest. That costs
 * nothing per chunk (a worker stamps the time in shared memory; the timer runs about once per
 * `ms` while bytes flow), and when nothing moves it fires at the same moment Node's would.
 */
export class IdleTimer {
  private timer: NodeJS.Timeout | undefined;
  private socket: Socket | undefined;
  private lastActivity: (() => number) | undefined;
  private stopped = false;

  constructor(
    private readonly ms: number,
    private readonly onIdle: () => void,
  ) {}

  /** Node's timer on `socket` (again after STARTTLS moved the channel onto a new socket). */
  onSocket(socket: Socket): void {
    this.socket = socket;
    if (!this.lastActivity && !this.stopped) socket.setTimeout(this.ms, this.onIdle);
  }

  /** From now on the channel's own timer decides, from `lastActivity` (a Date.now() value). */
  watch(lastActivity: () => number): void {
    this.lastActivity = lastActivity;
    this.socket?.setTimeout(0);
    this.check();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private readonly check = (): void => {
    if (this.stopped || !this.lastActivity) return;
    const left = this.lastActivity() + this.ms - Date.now();
    if (left <= 0) {
      this.stop();
      this.onIdle();
      return;
    }
    // Like Node's socket timer, it does not keep the process alive on its own.
    clearTimeout(this.timer);
    this.timer = setTimeout(this.check, left);
    this.timer.unref();
  };
}
