import { ByteQueue } from './byte-queue.js';
import { describeValue, isThenable } from './describe-value.js';
import { FrameError, PluginContractError, PluginError } from './errors.js';
import { isExpectedPluginError, pluginFailure } from './guard.js';
import type { Frame, Framer } from './types.js';

/**
 * Wraps a framer so that whatever goes wrong inside it reaches the session as one of two errors,
 * each carrying the frames completed before it and every byte given to the framer and not
 * returned in a frame (so the view can show them raw and nothing is lost from it):
 * - a FrameError the framer meant (the stream cannot be framed), message unchanged;
 * - a PluginError naming the plugin, the framer and the hook for a bug: a throw, or a value
 *   the contract does not allow (decode returning null, a frame with a string payload, a
 *   promise, encode returning a string).
 * The framer's input is shadowed in a ByteQueue (kept by reference, small chunks copied), so
 * those bytes are known whatever the framer does with its own buffer; at end of stream, what
 * is left unframed after flush() (or with no flush()) comes back the same way.
 */
export function guardFramer(framer: Framer, plugin: string, name: string): Framer {
  const pending = new ByteQueue();
  const failure = (method: string, err: unknown, frames: Frame[] = []): Error => {
    for (const f of frames) pending.skip(Math.min(f.bytes.length, pending.length));
    const rest = pending.takeAll();
    if (isExpectedPluginError(err)) {
      // A FrameError, perhaps from the plugin's own copy of the class: rebuilt with what we know.
      if ((err as { code?: unknown }).code === 'EFRAME')
        return new FrameError((err as Error).message, { frames, rest, cause: err });
      return err as Error;
    }
    const p = pluginFailure(plugin, `framer '${name}' ${method}()`, err);
    return new PluginError(plugin, p.message, { cause: err, frames, rest });
  };
  const takeFrames = (method: string, run: () => unknown): Frame[] => {
    let out: unknown;
    try {
      out = run();
    } catch (err) {
      const meant = isExpectedPluginError(err) ? (err as { frames?: unknown }).frames : undefined;
      throw failure(method, err, Array.isArray(meant) && !framesProblem(meant) ? meant : []);
    }
    const problem = framesProblem(out);
    if (problem) throw failure(method, problem);
    for (const f of out as Frame[]) pending.skip(Math.min(f.bytes.length, pending.length));
    return out as Frame[];
  };

  const guarded: Framer = {
    decode(chunk) {
      pending.push(chunk);
      return takeFrames('decode', () => framer.decode(chunk));
    },
    encode(payload) {
      let out: unknown;
      try {
        out = framer.encode(payload);
      } catch (err) {
        if (isExpectedPluginError(err)) throw err;
        throw pluginFailure(plugin, `framer '${name}' encode()`, err);
      }
      if (!(out instanceof Uint8Array)) {
        if (isThenable(out)) Promise.resolve(out).catch(() => {});
        throw pluginFailure(
          plugin,
          `framer '${name}' encode()`,
          new PluginContractError(
            `returned ${describeValue(out)}, not bytes (a Uint8Array); nothing was sent`,
          ),
        );
      }
      return out;
    },
  };
  // Always there: at end of stream, what the framer still holds comes back raw, flush or not.
  guarded.flush = () => {
    const flush = framer.flush;
    const frames = flush ? takeFrames('flush', () => flush.call(framer)) : [];
    if (pending.length === 0) return frames;
    const n = pending.length;
    throw new FrameError(
      `framer '${name}': the stream ended inside a message (${n} byte${n === 1 ? '' : 's'} shown raw)`,
      { frames, rest: pending.takeAll() },
    );
  };
  return guarded;
}

/** What is wrong with what decode() or flush() returned, or undefined for an array of frames. */
function framesProblem(value: unknown): PluginContractError | undefined {
  if (isThenable(value)) {
    Promise.resolve(value).catch(() => {});
    return new PluginContractError(
      'returned a promise, not an array of frames; decoding must answer at once',
    );
  }
  if (!Array.isArray(value))
    return new PluginContractError(`returned ${describeValue(value)}, not an array of frames`);
  for (let i = 0; i < value.length; i++) {
    const f: unknown = value[i];
    if (typeof f !== 'object' || f === null)
      return new PluginContractError(`returned frame [${i}] as ${describeValue(f)}, not { payload, bytes }`);
    for (const key of ['payload', 'bytes'] as const) {
      const v = (f as Record<string, unknown>)[key];
      if (!(v instanceof Uint8Array))
        return new PluginContractError(
          `returned frame [${i}] whose ${key} is ${describeValue(v)}, not bytes (a Uint8Array)`,
        );
    }
  }
  return undefined;
}

/** What is wrong with what a framer definition's create() returned, or undefined for a framer. */
export function framerProblem(value: unknown): PluginContractError | undefined {
  if (isThenable(value)) {
    Promise.resolve(value).catch(() => {});
    return new PluginContractError(
      'returned a promise, not a framer; create() must return { decode, encode } at once',
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return new PluginContractError(
      `returned ${describeValue(value)}, not a framer ({ decode, encode, flush? })`,
    );
  for (const hook of ['decode', 'encode', 'flush'] as const) {
    const fn = (value as Record<string, unknown>)[hook];
    if ((fn !== undefined || hook !== 'flush') && typeof fn !== 'function')
      return new PluginContractError(
        `returned a framer whose ${hook} is ${describeValue(fn)}, not a function`,
      );
  }
  return undefined;
}
