import type { ConnectionOptions } from '../options/connection-options.js';
import type { InteractiveOptions, Loan } from '../tube/interactive.js';
import { relayLoan } from './interactive-relay.js';

/**
 * Where interactive() hands a connection: the screen when standard input and output are
 * terminals (or `screen: true`), else the netcat relay over stdin/stdout (or the given streams).
 */
export async function handOver(
  loan: Loan,
  options: InteractiveOptions,
  display?: Partial<ConnectionOptions>,
): Promise<void> {
  const terminal = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const streams = options.input !== undefined || options.output !== undefined;
  if (options.screen ?? (terminal && !streams)) {
    const { screenOnLoan } = await loadScreen();
    return screenOnLoan(loan, display);
  }
  return relayLoan(loan, options.input ?? process.stdin, options.output ?? process.stdout);
}

/** The screen's module, loaded only now: off a terminal nothing of the screen is loaded. */
function loadScreen(): Promise<typeof import('./interactive-screen.js')> {
  return import('./interactive-screen.js');
}
