import { defineFault } from '../../src/plugin/define-plugin.js';
import { once, perDirection } from './common.js';

/**
 * `blackhole`: accept and never answer. Bytes in its directions are read and thrown away: the
 * peer's writes succeed, nothing comes back (dir=out: nothing we send leaves; dir=in: nothing
 * received is seen).
 */
export const blackhole = defineFault({
  summary: 'accept and never answer: bytes in its directions are read and thrown away',
  create: (_options, ctx) => {
    const bytes = perDirection(() => 0);
    const said = perDirection((dir) =>
      once(() =>
        ctx.log(dir === 'in' ? 'received bytes are thrown away' : 'bytes sent are thrown away, none leave'),
      ),
    );
    return {
      onData(dir, chunk) {
        said[dir]();
        bytes[dir] += chunk.length;
      },
      onClose() {
        if (bytes.in + bytes.out > 0) ctx.log(`swallowed ${bytes.in} bytes in, ${bytes.out} bytes out`);
      },
    };
  },
});
