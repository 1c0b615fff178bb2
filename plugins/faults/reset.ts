import { defineFault } from '../../src/plugin/define-plugin.js';
import { afterRow, afterTrigger } from './common.js';

/**
 * `reset:after=1k` / `reset:after=2s` / `reset`: abort the connection with an RST once this many
 * bytes have passed in its directions (exactly that many go through), after this long, or at once.
 * The bytes let through reach the kernel before the RST.
 */
export const reset = defineFault({
  summary: 'abort with RST after so many bytes or so long (default: as it starts)',
  positional: 'after',
  options: [afterRow],
  create: ({ after }, ctx) => {
    const trigger = afterTrigger(after, ctx, (why) => {
      ctx.log(`sending RST ${why}`);
      ctx.reset();
    });
    return {
      onOpen: trigger.start,
      onData(dir, chunk) {
        // Behind the RST nothing more goes either way.
        if (!trigger.fired) trigger.pass(dir, chunk);
      },
    };
  },
});
