import { defineFault } from '../../src/plugin/define-plugin.js';
import { type After, afterRow, describeAfter } from './common.js';

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
    let passed = 0;
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
        if (after?.bytes === undefined) return ctx.forward(dir, chunk);
        const room = after.bytes - passed;
        if (chunk.length < room) {
          passed += chunk.length;
          return ctx.forward(dir, chunk);
        }
        if (room > 0) ctx.forward(dir, chunk.subarray(0, room));
        passed += room;
        fire(describeAfter(after));
      },
    };
  },
});
