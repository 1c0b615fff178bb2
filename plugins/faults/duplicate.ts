import { UsageError } from '../../src/errors.js';
import { defineFault } from '../../src/plugin/define-plugin.js';

/** `duplicate[:0.5]`: each datagram is sent twice, with this probability (default always). UDP only. */
export const duplicate = defineFault({
  summary: 'UDP: deliver each datagram twice, with this probability (default 1)',
  positional: 'probability',
  options: [{ key: 'probability', kind: 'probability', default: 1, summary: 'chance per datagram' }],
  create: ({ probability }, ctx) => {
    if (ctx.proto !== 'udp')
      throw new UsageError(
        'duplicate applies to UDP datagrams; a TCP stream has no packets to repeat (the kernel discards duplicate segments)',
      );
    return {
      onData(dir, chunk) {
        ctx.forward(dir, chunk);
        if (ctx.random() < probability) ctx.forward(dir, Uint8Array.from(chunk));
      },
    };
  },
});
