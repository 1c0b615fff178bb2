import { splitWords } from '../session/command-line.js';
import type { Session } from '../session/session.js';
import { currentRecording, startRecording, stopRecording } from './recorder.js';

/**
 * `/record <file>` (also the script word `record`): record the session as a replayable script;
 * `/record stop` finishes the file; a bare `/record` says whether one is running.
 */
export function recordCommand(session: Session, rest: string): { lines: string[]; data?: unknown } {
  const words = splitWords(rest);
  const first = words[0];
  if (first === undefined) {
    const r = currentRecording(session);
    return {
      lines: [
        r ? `recording to ${r.file} (${r.lineCount} lines so far)` : 'not recording; /record <file> starts',
      ],
      data: { recording: r ? r.file : null },
    };
  }
  if (words.length === 1 && /^(stop|off)$/i.test(first)) {
    const r = stopRecording(session);
    if (!r) return { lines: ['not recording'], data: { recording: null } };
    return {
      lines: [`recorded ${r.lineCount} lines to ${r.file}; replay with: sockrepl run ${r.file}`],
      data: { stopped: r.file, lines: r.lineCount },
    };
  }
  const file = words.join(' ');
  const r = startRecording(session, file);
  return { lines: [`recording to ${r.file}; /record stop finishes it`], data: { recording: r.file } };
}
