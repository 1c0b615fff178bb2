/**
 * An example fault plugin, written the way a user writes one: `hiccup`, a link that now and then
 * stops for a moment and then delivers everything at once, like Wi-Fi roaming or a GC pause in a
 * middlebox. Every `every=` (± `spread=`, drawn from the seeded randomness, so `--seed` repeats
 * a run) it holds its directions for `for=` (received bytes stop reading, so the peer's writes
 * back up in the kernel), then passes on what it held, in order.
 *
 *   sockrepl --plugin ./examples/plugins/hiccup.ts --fault hiccup:2s,for=300ms host 9000
 *
 * It uses only the hooks every fault has: timers and randomness from the context, `forward` to
 * pass bytes on, `pauseReading`/`resumeReading`, `log`, and `onClose` to give back what it holds.
 */
import { defineFault, definePlugin } from 'sockrepl';

type Direction = 'in' | 'out';

const hiccup = defineFault({
  summary: 'every so often, hold all traffic for a moment, then let it through at once',
  positional: 'every',
  options: [
    { key: 'every', kind: 'duration', default: 2000, min: 1, summary: 'mean time between hiccups' },
    { key: 'for', kind: 'duration', default: 300, min: 1, summary: 'how long each hiccup holds traffic' },
    {
      key: 'spread',
      kind: 'probability',
      default: 0.5,
      summary: 'how irregular the gaps are: 0 = exactly every=, 0.5 = every= ± 50%',
    },
  ],
  create: (o, ctx) => {
    const held: { dir: Direction; chunk: Uint8Array }[] = [];
    let holding = false;
    let reading = true;
    let count = 0;
    let cancel: (() => void) | undefined;

    const gap = () => o.every * (1 - o.spread + 2 * o.spread * ctx.random());
    const release = () => {
      holding = false;
      if (!reading) {
        reading = true;
        ctx.resumeReading();
      }
      for (const { dir, chunk } of held.splice(0)) ctx.forward(dir, chunk);
    };
    const schedule = () => {
      cancel = ctx.setTimer(gap(), () => {
        holding = true;
        count++;
        ctx.log(`hiccup ${count}: holding traffic for ${o.for}ms`);
        cancel = ctx.setTimer(o.for, () => {
          release();
          schedule();
        });
      });
    };

    return {
      onOpen: schedule,
      onData(dir, chunk) {
        if (!holding) return ctx.forward(dir, chunk);
        held.push({ dir, chunk });
        // Received bytes while holding: stop reading, so the rest waits in the kernel, not here.
        if (dir === 'in' && reading) {
          reading = false;
          ctx.pauseReading();
        }
      },
      onClose() {
        cancel?.();
        if (holding) release();
      },
    };
  },
});

export default definePlugin({ name: 'hiccup', faults: { hiccup } });
