import framing from '../../plugins/framing/index.js';
import type { Plugin } from './types.js';

/** The plugins every registry starts with. They live in `plugins/` and use only the public API. */
export const BUILTIN_PLUGINS: readonly Plugin[] = [framing];
