import { defineFault } from '../../src/plugin/define-plugin.js';
import { once } from './common.js';

/**
 * `drop:0.1`: each datagram (UDP) or each chunk (TCP) is thrown away with this probability.
 * TCP itself never loses bytes; on a TCP connection the peer sees a stream with gaps, which is
 * said plainly, once.
 */
export const drop = defineFault({
  summary:
    'throw away each datagram (UDP) or chunk (TCP: bytes vanish from the stream) with this probability',
  positional: 'probability',
  options: [
    { key: 'probability', kind: 'probability', required: true, summary: 'chance per datagram or chunk' },
  ],
  create: ({ probability }, ctx) => {
    let chunks = 0;
    let bytes = 0;
    const warn = once(() =>
      ctx.log(
        ctx.proto === 'tcp'
          ? 'on TCP whole chunks vanish from the byte stream: the peer sees the bytes around them joined, with a gap TCP itself would never leave'
          : 'dropping datagrams',
      ),
    );
    return {
      onData(dir, chunk) {
        if (ctx.random() < probability) {
          warn();
          chunks++;
          bytes += chunk.length;
          return;
        }
        ctx.forward(dir, chunk);
      },
      onClose() {
        if (chunks > 0) {
          const what = ctx.proto === 'udp' ? 'datagram' : 'chunk';
          ctx.log(`dropped ${chunks} ${what}${chunks === 1 ? '' : 's'} (${bytes} bytes)`);
        }
      },
    };
  },
});
