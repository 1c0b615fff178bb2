import { defineFault } from '../../src/plugin/define-plugin.js';
import { once } from './common.js';

/**
 * `corrupt:0.01`: each byte has this probability of having one random bit flipped (so it always
 * changes). Which bytes and bits follow the seeded randomness: the same `--seed` corrupts the same
 * positions. Gaps between corrupted bytes are drawn from the geometric distribution, so a 64 MiB
 * stream costs a draw per corrupted byte, not per byte.
 */
export const corrupt = defineFault({
  summary: 'flip one random bit in each byte with this probability (0.01 or 1%)',
  positional: 'probability',
  options: [{ key: 'probability', kind: 'probability', required: true, summary: 'chance per byte' }],
  create: ({ probability: p }, ctx) => {
    let flipped = 0;
    const first = once(() => ctx.log(`flipping bits in about ${p * 100}% of bytes`));
    const gap = () => (p >= 1 ? 0 : Math.floor(Math.log(1 - ctx.random()) / Math.log(1 - p)));
    return {
      onData(dir, chunk) {
        if (p <= 0 || chunk.length === 0) return ctx.forward(dir, chunk);
        let out: Uint8Array | undefined;
        for (let i = gap(); i < chunk.length; i += 1 + gap()) {
          // The chunk may be the sender's own buffer: change a copy.
          out ??= Uint8Array.from(chunk);
          out[i] = out[i]! ^ (1 << Math.floor(ctx.random() * 8));
          flipped++;
          first();
        }
        ctx.forward(dir, out ?? chunk);
      },
      onClose() {
        if (flipped > 0) ctx.log(`${flipped} byte${flipped === 1 ? '' : 's'} corrupted`);
      },
    };
  },
});
