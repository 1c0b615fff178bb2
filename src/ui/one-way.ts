import { parseLine } from '../session/command-line.js';
import { findCommand } from '../session/command-table.js';

/**
 * `--send-only` and `--recv-only` on the screen. Pipe mode reads no standard input with
 * --recv-only and writes nothing it receives with --send-only; here the keyboard is standard
 * input and the traffic view standard output: with --recv-only the prompt still takes commands
 * but sends nothing, and with --send-only received data is counted in the status line but not shown.
 */

export type OneWay = 'send' | 'recv';

export function oneWay(options: { sendOnly: boolean; recvOnly: boolean }): OneWay | undefined {
  return options.recvOnly ? 'recv' : options.sendOnly ? 'send' : undefined;
}

/** Said once when the screen opens. */
export function oneWayNotice(only: OneWay): string {
  return only === 'recv'
    ? '--recv-only: nothing is sent from this prompt; commands still work'
    : '--send-only: received data is counted in the status line, not shown';
}

/** The commands that put bytes on the wire; a line of plain text does too. */
const SENDING = new Set(['send', 'hex', 'pack', 'file']);

/** Why this line may not run in a one-way session, or undefined when it may. */
export function refusal(line: string, only: OneWay | undefined): string | undefined {
  if (only !== 'recv') return undefined;
  let sends: boolean;
  try {
    const parsed = parseLine(line);
    sends =
      parsed.kind === 'text' ||
      (parsed.kind === 'command' && SENDING.has(findCommand(parsed.name)?.name ?? ''));
  } catch {
    return undefined; // a malformed line: the interpreter says what is wrong with it
  }
  return sends
    ? '--recv-only: this session sends nothing (typed lines, /send, /hex, /pack and /file are off)'
    : undefined;
}
