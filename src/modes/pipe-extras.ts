import { writeBestEffort } from '../best-effort.js';
import type { CapturedChannel, CaptureWriter } from '../capture/channel-capture.js';
import { UsageError } from '../errors.js';
import type { Channel } from '../net/channel.js';
import type { RelayTapUse } from '../net/fd-relay.js';
import type { ConnectionOptions } from '../options/connection-options.js';
import { type HexTap, openHexTap } from '../pipe/hex-tap.js';
import type { TapsFor } from '../pipe/relay-path.js';
import type { PipeIo } from '../pipe/stdio.js';
import type { VerboseLog } from '../pipe/verbose.js';
import type { ChannelRecorder } from '../record/channel-recorder.js';

export interface PipeExtras {
  faults?: import('../fault/fault-controller.js').FaultController;
  tap?: HexTap;
  recorder?: ChannelRecorder;
  capture?: CaptureWriter;
}

/**
 * What pipe mode adds around its channels when asked: --plugin and --fault, -x, --record, --pcap.
 * Each is loaded only when given, so plain pipe mode carries none of that code; all are ready
 * before connecting or listening, so a peer that speaks at once is heard by every one of them.
 */
export async function openPipeExtras(
  options: ConnectionOptions,
  io: PipeIo,
  log: VerboseLog,
  target: { kind: 'connect' | 'listen'; host: string | undefined; port: number },
): Promise<PipeExtras> {
  if (options.frame.length > 0) {
    throw new UsageError(
      '--frame: pipe mode passes bytes through unchanged; framing applies with --json, the screen (--tui) and scripts',
    );
  }
  // -E names the text column of -x (and a recording's text); a bad name is a usage error before
  // anything connects, and so is one that would change nothing here.
  if (options.encoding !== 'utf8') {
    (await import('../codec/text.js')).resolveEncoding(options.encoding);
    if (!options.hex && !options.record) {
      throw new UsageError(
        '-E: pipe mode passes bytes through unchanged; the encoding applies to -x and --record, --json, the screen (--tui) and scripts',
      );
    }
  }
  const faults =
    options.fault.length || options.plugin.length
      ? await (await import('./pipe-faults.js')).pipeFaults(options, log, io.stderr)
      : undefined;
  const tap = await openHexTap(options, io);
  const recorder = options.record
    ? (await import('../record/channel-recorder.js')).channelRecorder(
        options.record,
        { ...target, options },
        (m) => writeBestEffort(io.stderr, `sockrepl: ${m}\n`),
      )
    : undefined;
  const capture = options.pcap
    ? (await import('./capture-mode.js')).openModeCapture(options.pcap, target.kind, (m) =>
        io.stderr.write(`sockrepl: ${m}\n`),
      )
    : undefined;
  return { faults, tap, recorder, capture };
}

/**
 * What a relay worker moving a direction of `channel` hands each chunk to: the capture's packet
 * writer (when its file takes writes from two threads) and the -x dumper.
 */
export function relayTaps(
  channel: Channel,
  captured: CapturedChannel | undefined,
  hex: HexTap | undefined,
): TapsFor {
  return (dir) => {
    const taps: RelayTapUse[] = [];
    const pcap = captured?.relayTap(dir);
    if (pcap) taps.push({ name: '--pcap', spec: pcap });
    if (hex) taps.push(hex.relayTap(dir, channel));
    return taps;
  };
}
