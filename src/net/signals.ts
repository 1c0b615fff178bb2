import { constants } from 'node:os';
import { UsageError } from '../errors.js';

/** The kernel's signals by name (`SIGINT`) as Node knows them on this platform. */
const SIGNALS = constants.signals as Record<string, number>;

/**
 * A signal as people type it: `INT`, `SIGINT`, `sigint` or `2`. A usage error names the common
 * ones when the word is none of them.
 */
export function parseSignal(word: string): NodeJS.Signals {
  const w = word.trim();
  if (/^\d+$/.test(w)) {
    const name = signalName(Number(w));
    if (name) return name as NodeJS.Signals;
  } else {
    const upper = w.toUpperCase();
    const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
    if (name in SIGNALS) return name as NodeJS.Signals;
  }
  throw new UsageError(
    `'${word}' is not a signal (e.g. INT, TERM, HUP, KILL, USR1, STOP, CONT, or a number)`,
  );
}

/** `SIGTERM` for 15; undefined for a number that is no signal here. */
export function signalName(n: number): string | undefined {
  for (const [name, value] of Object.entries(SIGNALS)) if (value === n) return name;
  return undefined;
}
