import { defineFault } from '../../src/plugin/define-plugin.js';
import { once } from './common.js';

/**
 * `corrupt:0.01`: each byte has this probability of having one random bit flipped (so it always
 * changes). The gaps between corrupted bytes are drawn from the geometric distribution, per
 * direction and carried across chunks, so which bytes are hit depends only on their position in
 * the stream and the seed: the same `--seed` corrupts the same bytes however the stream is cut,
 * and a 64 MiB stream costs a draw per corrupted byte, not per byte.
 */
export const corrupt = defineFault({
  summary: 'flip one random bit in each byte with this probability (0.01 or 1%)',
  positional: 'probability',
  options: [{ key: 'probability', kind: 'probability', required: true, summary: 'chance per byte' }],
  create: ({ probability: p }, ctx) => {
    let flipped = 0;
    const first = once(() => ctx.log(`flipping bits in about ${p * 100}% of bytes`));
    const gap = () => (p >= 1 ? 0 : Math.floor(Math.log(1 - ctx.random()) / Math.log(1 - p)));
    // Bytes to pass untouched before the next corrupted one, per direction; drawn when first needed.
    const skip = { in: -1, out: -1 };
    return {
      onData(dir, chunk) {
        if (p <= 0 || chunk.length === 0) return ctx.forward(dir, chunk);
        if (skip[dir] < 0) skip[dir] = gap();
        let out: Uint8Array | undefined;
        let i = skip[dir];
        while (i < chunk.length) {
          // The chunk may be the sender's own buffer: change a copy.
          out ??= Uint8Array.from(chunk);
          out[i] = out[i]! ^ (1 << Math.floor(ctx.random() * 8));
          flipped++;
          first();
          i += 1 + gap();
        }
        skip[dir] = i - chunk.length;
        ctx.forward(dir, out ?? chunk);
      },
      onClose() {
        if (flipped > 0) ctx.log(`${flipped} byte${flipped === 1 ? '' : 's'} corrupted`);
      },
    };
  },
});
