import type { ConnectionOptions } from '../cli/connection-options.js';
import type { ChannelRecorder } from '../record/channel-recorder.js';
import { type HexTap, openHexTap } from './hex-tap.js';
import type { PipeIo } from './stdio.js';
import type { VerboseLog } from './verbose.js';

export interface PipeExtras {
  faults?: Awaited<ReturnType<typeof import('../fault/pipe-faults.js').pipeFaults>>;
  tap?: HexTap;
  recorder?: ChannelRecorder;
}

/**
 * What pipe mode adds around its channels when asked: --fault, -x, --record. Each is loaded only
 * when given, so plain pipe mode carries none of that code; all are ready before connecting or
 * listening, so a peer that speaks at once is heard by every one of them.
 */
export async function openPipeExtras(
  options: ConnectionOptions,
  io: PipeIo,
  log: VerboseLog,
  target: { kind: 'connect' | 'listen'; host: string | undefined; port: number },
): Promise<PipeExtras> {
  const faults = options.fault.length
    ? await (await import('../fault/pipe-faults.js')).pipeFaults(options, log, io.stderr)
    : undefined;
  const tap = await openHexTap(options, io);
  const recorder = options.record
    ? (await import('../record/channel-recorder.js')).channelRecorder(options.record, { ...target, options })
    : undefined;
  return { faults, tap, recorder };
}
