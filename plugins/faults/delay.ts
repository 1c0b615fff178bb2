import { defineFault } from '../../src/plugin/define-plugin.js';
import { perDirection, ReleaseQueue } from './common.js';

/** `delay:200ms`: every chunk reaches the other side this much later; the FIN waits its turn. */
export const delay = defineFault({
  summary: 'hold every chunk this long before passing it on (order kept; a FIN waits too)',
  positional: 'time',
  options: [{ key: 'time', kind: 'duration', required: true, summary: 'how long each chunk is held' }],
  create: ({ time }, ctx) => {
    const queues = perDirection((dir) => new ReleaseQueue(ctx, dir));
    return {
      onData: (dir, chunk) => queues[dir].add(chunk, ctx.now() + time),
      onClose: () => {
        queues.in.flush();
        queues.out.flush();
      },
    };
  },
});
