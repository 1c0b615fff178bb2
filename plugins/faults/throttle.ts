import { ByteQueue } from '../../src/plugin/byte-queue.js';
import { defineFault } from '../../src/plugin/define-plugin.js';
import type { FaultContext } from '../../src/plugin/types.js';
import { perDirection } from './common.js';

type Direction = 'in' | 'out';

/**
 * `throttle:10k`: at most this many bytes per second, from a token bucket that holds 50 ms worth
 * (at least one byte). A TCP stream is cut to fit; a UDP datagram is never cut: it waits until
 * the bucket holds its whole size.
 */
export const throttle = defineFault({
  summary: 'pass at most this many bytes per second (64k, 1m); TCP is cut to fit, datagrams wait whole',
  positional: 'rate',
  options: [
    {
      key: 'rate',
      kind: 'size',
      required: true,
      min: 1,
      hint: '<bytes/s>',
      summary: 'bytes per second',
    },
  ],
  create: ({ rate }, ctx) => {
    const lanes = perDirection((dir) => new Lane(ctx, dir, rate));
    return {
      onData: (dir, chunk) => lanes[dir].add(chunk),
      onClose: () => {
        lanes.in.flush();
        lanes.out.flush();
      },
    };
  },
});

class Lane {
  private readonly stream = new ByteQueue();
  private readonly datagrams: Uint8Array[] = [];
  private readonly burst: number;
  private tokens: number;
  private last: number;
  private cancel: (() => void) | undefined;

  constructor(
    private readonly ctx: FaultContext,
    private readonly dir: Direction,
    private readonly rate: number,
  ) {
    this.burst = Math.max(1, Math.floor(rate / 20));
    this.tokens = this.burst;
    this.last = ctx.now();
  }

  add(chunk: Uint8Array): void {
    if (this.ctx.proto === 'udp') this.datagrams.push(chunk);
    else this.stream.push(chunk);
    if (!this.cancel) this.pump();
  }

  flush(): void {
    this.cancel?.();
    this.cancel = undefined;
    if (this.stream.length > 0) this.ctx.forward(this.dir, this.stream.takeAll());
    for (const d of this.datagrams.splice(0)) this.ctx.forward(this.dir, d);
  }

  private pump(): void {
    this.cancel = undefined;
    let want: number;
    if (this.ctx.proto === 'udp') {
      // The bucket grows to fit a datagram larger than the burst, so it can leave eventually.
      while (this.datagrams.length > 0) {
        this.refill(Math.max(this.burst, this.datagrams[0]!.length));
        if (this.tokens < this.datagrams[0]!.length) break;
        const d = this.datagrams.shift()!;
        this.tokens -= d.length;
        this.ctx.forward(this.dir, d);
      }
      if (this.datagrams.length === 0) return;
      want = this.datagrams[0]!.length;
    } else {
      this.refill(this.burst);
      const n = Math.min(this.stream.length, Math.floor(this.tokens));
      if (n > 0) {
        this.tokens -= n;
        this.ctx.forward(this.dir, this.stream.take(n));
      }
      if (this.stream.length === 0) return;
      want = Math.min(this.stream.length, this.burst);
    }
    const wait = ((want - this.tokens) * 1000) / this.rate;
    this.cancel = this.ctx.setTimer(Math.max(1, Math.ceil(wait)), () => this.pump());
  }

  private refill(cap: number): void {
    const now = this.ctx.now();
    this.tokens = Math.min(cap, this.tokens + ((now - this.last) * this.rate) / 1000);
    this.last = now;
  }
}
