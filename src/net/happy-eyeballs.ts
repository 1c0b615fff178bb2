import { formatDuration } from '../codec/units.js';
import { isSockreplError, NetError } from '../errors.js';
import { errnoMeaning, formatHostPort } from './errno.js';
import type { ResolvedAddress } from './resolve.js';

/**
 * Connecting to a name with several addresses, as RFC 8305 ("Happy Eyeballs v2") asks: attempts
 * start in the resolver's order (families interleaved), the next one when the previous fails or
 * after a short delay without an answer, and the first to connect wins while the others are
 * cancelled. `-w` bounds the whole race, not each attempt. When every address fails, the error
 * names each one with what happened to it.
 */

/** RFC 8305 section 5: the recommended Connection Attempt Delay. */
export const ATTEMPT_DELAY_MS = 250;

/** One connection attempt: settles when connected or failed; `cancel` abandons it. */
export interface Attempt<T> {
  done: Promise<T>;
  cancel(): void;
}

export interface RaceOptions {
  /** The name as the user wrote it, for the error. */
  host: string;
  port: number;
  /** Bounds the whole race (-w). */
  waitMs?: number;
  delayMs?: number;
}

interface Failure {
  target: ResolvedAddress;
  error: NetError;
}

export function raceAttempts<T>(
  targets: readonly ResolvedAddress[],
  start: (target: ResolvedAddress) => Attempt<T>,
  options: RaceOptions,
): Promise<{ value: T; target: ResolvedAddress }> {
  const delayMs = options.delayMs ?? ATTEMPT_DELAY_MS;
  return new Promise((resolve, reject) => {
    const running = new Map<ResolvedAddress, Attempt<T>>();
    const failures: Failure[] = [];
    let next = 0;
    let settled = false;
    let delay: NodeJS.Timeout | undefined;
    const overall = options.waitMs === undefined ? undefined : setTimeout(() => timedOut(), options.waitMs);

    const finish = () => {
      settled = true;
      clearTimeout(delay);
      clearTimeout(overall);
      for (const a of running.values()) a.cancel();
      running.clear();
    };
    const timedOut = () => {
      if (settled) return;
      const pending = [...running.keys()];
      finish();
      reject(timeoutError(options, failures, pending, targets.slice(next)));
    };
    const failed = (target: ResolvedAddress, error: unknown) => {
      running.delete(target);
      if (settled) return;
      if (isSockreplError(error) && !(error instanceof NetError)) {
        // A usage mistake is not the address's fault: no point trying the others.
        finish();
        reject(error);
        return;
      }
      failures.push({ target, error: asNetError(error) });
      if (next < targets.length) {
        // A failure frees the turn at once; no need to wait out the delay.
        launch();
      } else if (running.size === 0) {
        finish();
        reject(allFailed(options, failures));
      }
    };
    const launch = () => {
      clearTimeout(delay);
      const target = targets[next++]!;
      let attempt: Attempt<T>;
      try {
        attempt = start(target);
      } catch (err) {
        failed(target, err);
        return;
      }
      running.set(target, attempt);
      attempt.done.then(
        (value) => {
          if (settled) return;
          running.delete(target);
          finish();
          resolve({ value, target });
        },
        (err: unknown) => {
          if (running.has(target)) failed(target, err);
        },
      );
      if (next < targets.length) delay = setTimeout(launch, delayMs);
    };
    launch();
  });
}

function asNetError(err: unknown): NetError {
  if (err instanceof NetError) return err;
  const e = err as NodeJS.ErrnoException;
  return new NetError(e?.message ?? String(err), e?.code ?? 'EIO', { cause: err });
}

const where = (t: ResolvedAddress, port: number) => formatHostPort(t.address, port);

/**
 * Every address failed. One address: its own error, unchanged. Several: what each said; when
 * they all said the same, it is said once.
 */
function allFailed(o: RaceOptions, failures: readonly Failure[]): NetError {
  const only = failures[0]!;
  if (failures.length === 1) return only.error;
  // A local problem (the source port is taken) is the same for every address: say it once.
  if (failures.every((f) => f.error.message.startsWith('bind '))) return only.error;
  const codes = new Set(failures.map((f) => f.error.code));
  const tried = failures.map((f) => where(f.target, o.port));
  const label = `connect ${formatHostPort(o.host, o.port)}`;
  const last = failures[failures.length - 1]!.error;
  if (codes.size === 1) {
    const meaning = errnoMeaning(only.error.code, 'connect');
    return new NetError(
      `${label}: ${only.error.code}${meaning ? `: ${meaning}` : ''}; tried ${tried.join(', ')}`,
      only.error.code,
      { cause: only.error },
    );
  }
  const each = failures.map((f) => `${where(f.target, o.port)} (${f.error.code})`);
  return new NetError(`${label}: no address could be reached; tried ${each.join(', ')}`, last.code, {
    cause: last,
  });
}

function timeoutError(
  o: RaceOptions,
  failures: readonly Failure[],
  pending: readonly ResolvedAddress[],
  untried: readonly ResolvedAddress[],
): NetError {
  const after = formatDuration(o.waitMs!);
  const total = failures.length + pending.length + untried.length;
  if (total === 1) {
    return new NetError(
      `connect ${where(pending[0]!, o.port)}: ETIMEDOUT after ${after}: ${errnoMeaning('ETIMEDOUT', 'connect')}`,
      'ETIMEDOUT',
    );
  }
  const each = [
    ...failures.map((f) => `${where(f.target, o.port)} (${f.error.code})`),
    ...pending.map((t) => `${where(t, o.port)} (no answer)`),
  ];
  const notTried = untried.length ? `; not tried: ${untried.map((t) => where(t, o.port)).join(', ')}` : '';
  return new NetError(
    `connect ${formatHostPort(o.host, o.port)}: ETIMEDOUT after ${after}: tried ${each.join(', ')}${notTried}`,
    'ETIMEDOUT',
  );
}
