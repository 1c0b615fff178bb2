import type { CaptureWriter } from '../capture/channel-capture.js';
import { openCapture } from '../capture/open-capture.js';

/**
 * Opens `--pcap FILE` for a mode: the pcapng section comment names the mode and the command line;
 * a write that fails later (a full disk) is said once through `onFailure` and the session goes on.
 */
export function openModeCapture(
  path: string,
  mode: string,
  onFailure: (message: string) => void,
): CaptureWriter {
  return openCapture(path, {
    mode,
    commandLine: ['sockrepl', ...process.argv.slice(2)].map(quoteWord).join(' '),
    onFailure,
  });
}

function quoteWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
