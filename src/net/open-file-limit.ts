import { readFileSync } from 'node:fs';

/**
 * Descriptors a listener leaves free for the process's own needs once clients fill the rest: a
 * worker's copy of a busy socket, a program's pipes or terminal, a capture file, a log.
 */
export const FD_HEADROOM = 64;

let cached: number | null | undefined;

/**
 * The process's limit on open files (the soft RLIMIT_NOFILE, `ulimit -n`; Node raised it to the hard
 * limit at start), as Linux's /proc tells it; undefined where there is none to read.
 */
export function openFileLimit(): number | undefined {
  if (cached === undefined) {
    try {
      const line = readFileSync('/proc/self/limits', 'utf8')
        .split('\n')
        .find((l) => l.startsWith('Max open files'));
      const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
      cached = soft && /^\d+$/.test(soft) ? Number(soft) : null;
    } catch {
      cached = null;
    }
  }
  return cached ?? undefined;
}

/**
 * Why a just-accepted client must be turned away, if the descriptor it got is within FD_HEADROOM of
 * the limit. A new descriptor is always the lowest free number, so every number below `fd` is in
 * use: `fd` counts the open files without listing them. Past the limit the kernel refuses accept()
 * and libuv closes such clients unseen; turned away here, each is named, with the cause.
 */
export function nearOpenFileLimit(fd: number): string | undefined {
  const limit = openFileLimit();
  if (limit === undefined || fd < limit - FD_HEADROOM) return undefined;
  return `${fd + 1} of the ${limit} open files this process may have are in use (ulimit -n); raise the limit to serve more clients`;
}
