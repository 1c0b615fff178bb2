import { defineFault } from '../../src/plugin/define-plugin.js';
import { afterRow, afterTrigger } from './common.js';

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
  create: ({ after, how }, ctx) => {
    // Only the shut side loses bytes: behind our FIN, what we send; after shutting reading, what arrives.
    const shut = how === 'write' ? 'out' : 'in';
    let discarded = 0;
    const trigger = afterTrigger(after, ctx, (why) => {
      ctx.log(how === 'write' ? `sending FIN ${why}` : `no longer reading ${why}`);
      ctx.shutdown(how);
    });
    const behind = (dir: 'in' | 'out', chunk: Uint8Array) => {
      if (dir === shut) discarded += chunk.length;
      else ctx.forward(dir, chunk);
    };
    return {
      onOpen: trigger.start,
      onData(dir, chunk) {
        if (trigger.fired) return behind(dir, chunk);
        const rest = trigger.pass(dir, chunk);
        if (rest && rest.length > 0) behind(dir, rest);
      },
      onClose() {
        if (discarded > 0)
          ctx.log(`${discarded} bytes discarded after the ${how === 'write' ? 'FIN' : 'read side was shut'}`);
      },
    };
  },
});
