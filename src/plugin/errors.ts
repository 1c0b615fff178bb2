import { EXIT, SockreplError } from '../errors.js';
import type { Frame } from './types.js';

const EMPTY = new Uint8Array(0);

/**
 * The byte stream cannot be cut into frames: a frame over the size limit, a malformed header, or
 * the stream ended inside a frame. It ends framing on that connection, not the session; the
 * error carries what was decoded and what was not, so no received byte is lost from view.
 */
export class FrameError extends SockreplError {
  /** Frames completed by the same decode() call before the error. */
  readonly frames: Frame[];
  /** The bytes the framer held and could not frame; the framer has let go of them. */
  readonly rest: Uint8Array;

  constructor(message: string, details: { frames?: Frame[]; rest?: Uint8Array; cause?: unknown } = {}) {
    super(message, 'EFRAME', EXIT.network, { cause: details.cause });
    this.frames = details.frames ?? [];
    this.rest = details.rest ?? EMPTY;
  }
}

/** A plugin's own code threw (not a FrameError or UsageError it meant): the session disables it and goes on. */
export class PluginError extends SockreplError {
  /** The name of the plugin that failed. */
  readonly plugin: string;
  /** From a framer: frames it completed before failing, as a FrameError's. */
  readonly frames: Frame[];
  /** From a framer: the bytes it was given and had not returned in frames, so none is lost from view. */
  readonly rest: Uint8Array;

  constructor(
    plugin: string,
    message: string,
    options: { cause?: unknown; frames?: Frame[]; rest?: Uint8Array } = {},
  ) {
    super(message, 'EPLUGIN', EXIT.usage, { cause: options.cause });
    this.plugin = plugin;
    this.frames = options.frames ?? [];
    this.rest = options.rest ?? EMPTY;
  }
}

/**
 * A plugin hook returned or passed what its contract does not allow: a string where bytes belong,
 * null where frames belong, a promise from a hook that must answer at once, or a promise that
 * rejected. The message says what (`returned null, not an array of frames`); the caller adds
 * the plugin and hook (`plugin 'p': framer 'f' decode() ...`) through pluginFailure.
 */
export class PluginContractError extends Error {
  readonly code = 'EPLUGINCONTRACT';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PluginContractError';
  }
}
