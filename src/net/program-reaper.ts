/**
 * No orphans: every program sockrepl starts leads a process group of its own, and whatever of
 * those groups is still alive when sockrepl goes away is hung up. On a normal exit that is the
 * `exit` hook; on SIGINT, SIGTERM or SIGHUP (which, unhandled, would end Node without running
 * exit hooks) the groups are hung up and the signal then takes its usual course. Only a SIGKILL of
 * sockrepl escapes this; then a pseudo-terminal's programs still get SIGHUP from the kernel, and
 * piped ones EOF on their input.
 *
 * A group is tracked only while its leader is unreaped. Once the leader is reaped its PID is free:
 * when the rest of the group has gone too, the kernel may hand the number to a new process that
 * leads a group of its own (PIDs wrap at pid_max, 32768 by default, within minutes on a busy
 * machine), and a late signal to the old number would hit that stranger. So what is left of a
 * group after its leader is signalled through `signalOrphans`, which checks first.
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

/**
 * Sends `signal` to what is left of a group whose leader has been reaped, its orphans. While any
 * member lives the kernel does not reuse the group's number as a PID, so a live process with that
 * PID means the group is gone and the number belongs to someone else: nothing is sent.
 */
export function signalOrphans(pgid: number, signal: NodeJS.Signals | number): boolean {
  if (pidInUse(pgid)) return false;
  return signalGroup(pgid, signal);
}

function pidInUse(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
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

/** Its leader was reaped: the group is no longer sockrepl's to hang up at exit. */
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
