import { CaptureFile } from './capture-file.js';
import { CaptureWriter } from './channel-capture.js';

export interface CaptureContext {
  /** connect, listen, proxy, run, screen, json... */
  mode: string;
  /** The command line, for the pcapng section comment. */
  commandLine: string;
  /** A failed write (full disk): said once; the session goes on without capture. */
  onFailure: (message: string) => void;
}

/**
 * Opens `--pcap FILE` (or `/pcap FILE`) for writing. A path that cannot be written is a usage error
 * before anything connects. Packets are written as they happen and nothing is buffered, so the file
 * is whole whenever the process ends, SIGINT and SIGTERM included.
 */
export function openCapture(path: string, context: CaptureContext): CaptureWriter {
  const comment = `sockrepl ${context.mode}: ${context.commandLine}`;
  return new CaptureWriter(new CaptureFile(path, comment, context.onFailure));
}
