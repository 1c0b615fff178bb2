import { defineFault } from '../../src/plugin/define-plugin.js';

type Direction = 'in' | 'out';

/** The longest a Node timer waits; stall re-arms it so it holds for as long as it is on. */
const FOREVER_MS = 2 ** 31 - 1;

/**
 * `stall`: bytes stop moving until the fault is switched off (`until=`, `/fault off`, close).
 * `in`: reading stops after the chunk that shows the peer is sending, so the kernel's receive
 * buffer fills (Recv-Q grows), the window closes and the peer's writes block. `out`: what we send
 * is held; sends block once the pipeline's bound is reached. Switched off, everything held goes
 * on in order and reading resumes.
 */
export const stall = defineFault({
  summary: 'stop moving bytes: in — stop reading (Recv-Q grows, the peer blocks); out — hold what is sent',
  create: (_options, ctx) => {
    const held: { dir: Direction; chunk: Uint8Array }[] = [];
    let reading = true;
    let cancel: (() => void) | undefined;
    // A pending timer tells the pipeline the held bytes are coming back, not dropped.
    const keep = () => {
      cancel = ctx.setTimer(FOREVER_MS, keep);
    };
    return {
      onOpen: keep,
      onData(dir, chunk) {
        held.push({ dir, chunk });
        if (dir === 'in' && reading) {
          reading = false;
          ctx.pauseReading();
          ctx.log('stopped reading: the kernel buffers what the peer sends until this fault is off');
        }
      },
      onClose() {
        cancel?.();
        if (!reading) ctx.resumeReading();
        for (const { dir, chunk } of held.splice(0)) ctx.forward(dir, chunk);
      },
    };
  },
});
