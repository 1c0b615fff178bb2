import { defineFault } from '../../src/plugin/define-plugin.js';
import { type After, afterRow, byteCountdown, describeAfter } from './common.js';

/**
 * `halfclose:after=2s` / `halfclose:after=1k,how=read`: shut one side of the connection once this
 * many bytes have passed in its directions, after this long, or at once. `how=write` (default)
 * sends our FIN after the bytes ahead of it; what is sent after that is discarded. `how=read`
 * stops reading; what arrives after that is discarded.
 */
export const halfclose = defineFault({
  summary: 'half-close after so many bytes or so long: how=write sends FIN, how=read stops reading',
  positional: 'after',
  options: [
    afterRow,
    { key: 'how', kind: 'enum', values: ['write', 'read'], default: 'write', summary: 'which side to shut' },
  ],
  create: (options, ctx) => {
    const after = options.after as After | undefined;
    const how = options.how;
    const countdown = after?.bytes === undefined ? undefined : byteCountdown(after.bytes);
    let fired = false;
    let discarded = 0;
    const fire = (why: string) => {
      if (fired) return;
      fired = true;
      ctx.log(how === 'write' ? `sending FIN ${why}` : `no longer reading ${why}`);
      ctx.shutdown(how);
    };
    return {
      onOpen() {
        if (after === undefined) fire(describeAfter(after));
        else if (after.ms !== undefined) ctx.setTimer(after.ms, () => fire(describeAfter(after)));
      },
      onData(dir, chunk) {
        // Only the shut side loses bytes: behind our FIN, what we send; after shutting reading, what arrives.
        const shut = how === 'write' ? 'out' : 'in';
        if (fired) {
          if (dir !== shut) return ctx.forward(dir, chunk);
          discarded += chunk.length;
          return;
        }
        if (!countdown) return ctx.forward(dir, chunk);
        const { before, rest } = countdown(chunk);
        if (before.length > 0 || !rest) ctx.forward(dir, before);
        if (!rest) return;
        fire(describeAfter(after));
        if (rest.length > 0) {
          if (dir === shut) discarded += rest.length;
          else ctx.forward(dir, rest);
        }
      },
      onClose() {
        if (discarded > 0)
          ctx.log(`${discarded} bytes discarded after the ${how === 'write' ? 'FIN' : 'read side was shut'}`);
      },
    };
  },
});
