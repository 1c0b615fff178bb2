import { defineFault } from '../../src/plugin/define-plugin.js';
import { once, perDirection } from './common.js';

/**
 * `fragment:1[,gap=5ms]`: every chunk is cut into pieces of at most n bytes, written one by one
 * with a pause between them, so the peer really reads them separately (the pipeline turns
 * TCP_NODELAY on so Nagle does not merge them again). `gap=0` writes the pieces back to back:
 * the segments are separate but a slow reader may get several in one read.
 */
export const fragment = defineFault({
  summary: 'cut every chunk into pieces of at most n bytes, written gap= apart',
  positional: 'size',
  options: [
    { key: 'size', kind: 'size', required: true, min: 1, summary: 'largest piece, in bytes' },
    { key: 'gap', kind: 'duration', default: 1, summary: 'pause between pieces (0: back to back)' },
  ],
  create: ({ size, gap }, ctx) => {
    const udpNote = once(() => ctx.log('on UDP each datagram becomes several smaller datagrams'));
    const lanes = perDirection((dir) => {
      const pieces: Uint8Array[] = [];
      let busy: (() => void) | undefined;
      const next = () => {
        busy = undefined;
        const piece = pieces.shift();
        if (piece === undefined) return;
        ctx.forward(dir, piece);
        // Pieces stay gap apart, also when the next chunk arrives just after this piece left.
        busy = ctx.setTimer(gap, next);
      };
      return {
        add(chunk: Uint8Array) {
          if (ctx.proto === 'udp' && chunk.length > size) udpNote();
          for (let at = 0; at < chunk.length; at += size) {
            const piece = chunk.subarray(at, at + size);
            if (gap === 0) ctx.forward(dir, piece);
            else pieces.push(piece);
          }
          if (chunk.length === 0) ctx.forward(dir, chunk);
          if (!busy) next();
        },
        flush() {
          busy?.();
          busy = undefined;
          for (const piece of pieces.splice(0)) ctx.forward(dir, piece);
        },
      };
    });
    return {
      onData: (dir, chunk) => lanes[dir].add(chunk),
      onClose: () => {
        lanes.in.flush();
        lanes.out.flush();
      },
    };
  },
});
