import type { Plugin } from '../src/plugin/types.js';
import faults from './faults/index.js';
import framing from './framing/index.js';

/**
 * The built-in plugins, for the CLI to register: `new PluginRegistry({ builtins: BUILTIN_PLUGINS })`.
 * The registry in `src/plugin/` does not import them: built-ins depend on the plugin API, not
 * the other way round, exactly like a user's plugin.
 */
export const BUILTIN_PLUGINS: readonly Plugin[] = [framing, faults];
