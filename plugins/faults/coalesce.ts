import { defineFault } from '../../src/plugin/define-plugin.js';
import { perDirection } from './common.js';

/**
 * `coalesce:50ms[,max=64k]`: chunks are held from the first one for this long, then written as
 * one (the "sticky packet" a receiver must cope with). UDP datagrams keep their boundaries and
 * leave together as a burst. Reaching max= bytes releases at once.
 */
export const coalesce = defineFault({
  summary: 'hold chunks this long from the first, then write them as one (UDP: as a burst)',
  positional: 'time',
  options: [
    { key: 'time', kind: 'duration', required: true, min: 1, summary: 'how long to gather' },
    {
      key: 'max',
      kind: 'size',
      default: 64 * 1024,
      min: 1,
      summary: 'release at once when this many bytes wait',
    },
  ],
  create: ({ time, max }, ctx) => {
    const lanes = perDirection((dir) => {
      let held: Uint8Array[] = [];
      let bytes = 0;
      let cancel: (() => void) | undefined;
      const release = () => {
        cancel?.();
        cancel = undefined;
        const chunks = held;
        held = [];
        bytes = 0;
        if (chunks.length === 0) return;
        if (ctx.proto === 'udp' || chunks.length === 1) for (const c of chunks) ctx.forward(dir, c);
        else ctx.forward(dir, Buffer.concat(chunks));
      };
      return {
        add(chunk: Uint8Array) {
          held.push(chunk);
          bytes += chunk.length;
          if (bytes >= max) release();
          else cancel ??= ctx.setTimer(time, release);
        },
        release,
      };
    });
    return {
      onData: (dir, chunk) => lanes[dir].add(chunk),
      onClose: () => {
        lanes.in.release();
        lanes.out.release();
      },
    };
  },
});
