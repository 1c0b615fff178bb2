/**
 * No orphans: every program sockrepl starts leads a process group of its own, and whatever of
 * those groups is still alive when sockrepl goes away is hung up. On a normal exit that is the
 * `exit` hook; on SIGINT, SIGTERM or SIGHUP (which, unhandled, would end Node without running
 * exit hooks) the groups are hung up and the signal then takes its usual course. Only a SIGKILL of
 * sockrepl escapes this; then a pseudo-terminal's programs still get SIGHUP from the kernel, and
 * piped ones EOF on their input.
 */

const live = new Set<number>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let hooked = false;

/** Sends `signal` to process group `pgid`; false when it is gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | number): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** A started program's group, to be hung up if sockrepl ends before it. */
export function adopt(pgid: number): void {
  live.add(pgid);
  if (hooked) return;
  hooked = true;
  process.on('exit', hangUpAll);
  for (const s of SIGNALS) process.on(s, onSignal);
}

/** The group is gone (its leader was reaped and its output closed). */
export function release(pgid: number): void {
  live.delete(pgid);
}

/** The groups still alive, for tests and diagnostics. */
export function liveGroups(): number[] {
  return [...live];
}

function hangUpAll(): void {
  for (const pgid of live) {
    signalGroup(pgid, 'SIGHUP');
    signalGroup(pgid, 'SIGCONT');
  }
}

function onSignal(signal: NodeJS.Signals): void {
  hangUpAll();
  // With nobody else handling it, the signal must still end sockrepl as it would have.
  if (process.listenerCount(signal) > 1) return;
  for (const s of SIGNALS) process.off(s, onSignal);
  process.off('exit', hangUpAll);
  hooked = false;
  process.kill(process.pid, signal);
}
