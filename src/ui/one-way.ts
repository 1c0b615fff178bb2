import type { OneWay } from '../session/session.js';

/**
 * `--send-only` and `--recv-only` on the screen. Pipe mode reads no standard input with
 * --recv-only and writes nothing it receives with --send-only; here the keyboard is standard
 * input and the traffic view standard output. The session holds the rule (it refuses every send
 * when receive-only, and names the direction views leave out when send-only); the screen says
 * once which mode is on, and the status line keeps saying it.
 */

/** Said once when the screen opens. */
export function oneWayNotice(only: OneWay): string {
  return only === 'recv'
    ? '--recv-only: nothing is sent from this prompt; commands still work'
    : '--send-only: received data is counted in the status line, not shown';
}
