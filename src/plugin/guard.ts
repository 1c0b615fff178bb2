import { PluginError } from './errors.js';
import type { Framer } from './types.js';

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

/** One line saying which plugin failed where, keeping the original error as the cause. */
export function pluginFailure(plugin: string, where: string, err: unknown): PluginError {
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return new PluginError(plugin, `plugin '${plugin}': ${where} threw ${message.split('\n')[0]}`, {
    cause: err,
  });
}

/**
 * Wraps a framer so that anything it throws besides a FrameError becomes a PluginError naming
 * the plugin: the session can then disable that plugin and carry on.
 */
export function guardFramer(framer: Framer, plugin: string, name: string): Framer {
  const call = <T>(method: string, fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      if (isExpectedPluginError(err)) throw err;
      throw pluginFailure(plugin, `framer '${name}' ${method}()`, err);
    }
  };
  const guarded: Framer = {
    decode: (chunk) => call('decode', () => framer.decode(chunk)),
    encode: (payload) => call('encode', () => framer.encode(payload)),
  };
  const flush = framer.flush;
  if (flush) guarded.flush = () => call('flush', () => flush.call(framer));
  return guarded;
}
