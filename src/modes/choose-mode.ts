import type { ConnectionOptions } from '../options/connection-options.js';

export type Mode = 'pipe' | 'json' | 'tui';

/**
 * Design section 2: the screen opens when standard input and output are both terminals, unless
 * --no-tui or --json; --tui forces it. Everything else is pipe mode.
 */
export function chooseMode(
  options: Pick<ConnectionOptions, 'json' | 'tui'>,
  stdinTty: boolean,
  stdoutTty: boolean,
): Mode {
  if (options.json) return 'json';
  if (options.tui === true) return 'tui';
  if (options.tui === false) return 'pipe';
  return stdinTty && stdoutTty ? 'tui' : 'pipe';
}
