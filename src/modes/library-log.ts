import { TrafficLog, type TrafficLogTarget } from '../tube/traffic-log.js';

/**
 * The library's `log` option and its environment switch: `SOCKREPL_LOG=debug` (or `stderr`)
 * hex-dumps every library tube's traffic to standard error (`stdout`: standard output), `SOCKREPL_LOG=<path>` appends it to
 * that file; `log: false` turns it off for one call. Only library tubes (connect, listen, spawn),
 * never the CLI's own sessions.
 */

export type LogOption = TrafficLogTarget | false;

/** The log a call asked for (or the environment names), opened; undefined when none. */
export function openLibraryLog(
  option: LogOption | undefined,
  encoding: string | undefined,
): TrafficLog | undefined {
  if (option === false) return undefined;
  const target = option ?? fromEnvironment(process.env.SOCKREPL_LOG);
  return target === undefined ? undefined : TrafficLog.open(target, { encoding });
}

function fromEnvironment(value: string | undefined): TrafficLogTarget | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (v === '' || v === '0' || v === 'off' || v === 'none') return undefined;
  if (v === 'debug' || v === 'stderr' || v === '1') return process.stderr;
  if (v === 'stdout') return process.stdout;
  return v;
}
