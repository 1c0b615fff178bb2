import { describeValue, firstLine, isThenable } from './describe-value.js';
import { PluginContractError, PluginError } from './errors.js';

/**
 * Errors a plugin means to raise: FrameError (bad data on the wire) and UsageError (bad
 * options). Matched by code, not class, because a plugin loaded through jiti may hold its own
 * copy of this package's error classes.
 */
export function isExpectedPluginError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  return code === 'EFRAME' || code === 'EUSAGE';
}

/**
 * One line saying which plugin failed where, keeping the original error as the cause:
 * `plugin 'p': fault 'f' onData() threw TypeError: ...`, or for a broken contract
 * `plugin 'p': framer 'f' decode() returned null, not an array of frames`.
 */
export function pluginFailure(plugin: string, where: string, err: unknown): PluginError {
  const what = err instanceof PluginContractError ? err.message : `threw ${firstLine(err)}`;
  return new PluginError(plugin, `plugin '${plugin}': ${where} ${what.split('\n')[0]}`, { cause: err });
}

/** What a promise a plugin hook returned rejected with, as a broken contract (`rejected Error: ...`). */
export function rejected(err: unknown): PluginContractError {
  return new PluginContractError(`rejected ${firstLine(err)}`, { cause: err });
}

const TRANSFORM_HOOKS = ['onOpen', 'onData', 'onClose'] as const;

/**
 * What is wrong with the value a fault's create() returned, or undefined when it is a usable
 * transform. A promise is refused rather than awaited: chunks arrive from the first moment of a
 * connection, and a transform that is not there yet could only hold them or let them through.
 */
export function transformProblem(value: unknown): PluginContractError | undefined {
  if (isThenable(value)) {
    // Nobody will await it: a later rejection must not become an unhandled one.
    Promise.resolve(value).catch(() => {});
    return new PluginContractError(
      'returned a promise, not a transform; create() must return { onData, ... } at once (start async work in onOpen or a timer)',
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return new PluginContractError(
      `returned ${describeValue(value)}, not a transform object ({ onOpen?, onData?, onClose? })`,
    );
  for (const hook of TRANSFORM_HOOKS) {
    const fn = (value as Record<string, unknown>)[hook];
    if (fn !== undefined && typeof fn !== 'function')
      return new PluginContractError(
        `returned a transform whose ${hook} is ${describeValue(fn)}, not a function`,
      );
  }
  return undefined;
}
