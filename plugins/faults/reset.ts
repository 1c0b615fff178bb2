import { defineFault } from '../../src/plugin/define-plugin.js';
import { type After, afterRow, byteCountdown, describeAfter } from './common.js';

/**
 * `reset:after=1k` / `reset:after=2s` / `reset`: abort the connection with an RST once this many
 * bytes have passed in its directions (exactly that many go through), after this long, or at once.
 * The bytes let through reach the kernel before the RST.
 */
export const reset = defineFault({
  summary: 'abort with RST after so many bytes or so long (default: as it starts)',
  positional: 'after',
  options: [afterRow],
  create: (options, ctx) => {
    const after = options.after as After | undefined;
    const countdown = after?.bytes === undefined ? undefined : byteCountdown(after.bytes);
    let fired = false;
    const fire = (why: string) => {
      if (fired) return;
      fired = true;
      ctx.log(`sending RST ${why}`);
      ctx.reset();
    };
    return {
      onOpen() {
        if (after === undefined) fire(describeAfter(after));
        else if (after.ms !== undefined) ctx.setTimer(after.ms, () => fire(describeAfter(after)));
      },
      onData(dir, chunk) {
        // Behind the RST nothing more goes either way.
        if (fired) return;
        if (!countdown) return ctx.forward(dir, chunk);
        const { before, rest } = countdown(chunk);
        if (before.length > 0 || !rest) ctx.forward(dir, before);
        if (rest) fire(describeAfter(after));
      },
    };
  },
});
