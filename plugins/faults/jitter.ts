import { defineFault } from '../../src/plugin/define-plugin.js';
import { perDirection, ReleaseQueue } from './common.js';

/**
 * `jitter:50ms[,base=100ms]`: each chunk is held base + a random part of the spread. A TCP stream
 * keeps its order (a chunk never leaves before the one ahead of it); UDP datagrams are delayed
 * independently and may overtake each other, as on a real network.
 */
export const jitter = defineFault({
  summary: 'hold each chunk a random time up to this long (plus base=); UDP datagrams may reorder',
  positional: 'time',
  options: [
    { key: 'time', kind: 'duration', required: true, summary: 'the random part: 0 up to this long' },
    { key: 'base', kind: 'duration', default: 0, summary: 'a fixed delay added to every chunk' },
  ],
  create: ({ time, base }, ctx) => {
    const queues = perDirection((dir) => new ReleaseQueue(ctx, dir));
    const last = perDirection(() => 0);
    return {
      onData: (dir, chunk) => {
        let due = ctx.now() + base + ctx.random() * time;
        if (ctx.proto === 'tcp') {
          due = Math.max(due, last[dir]);
          last[dir] = due;
        }
        queues[dir].add(chunk, due);
      },
      onClose: () => {
        queues.in.flush();
        queues.out.flush();
      },
    };
  },
});
