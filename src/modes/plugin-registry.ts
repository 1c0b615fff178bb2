import { BUILTIN_PLUGINS } from '../../plugins/index.js';
import { PluginRegistry } from '../plugin/registry.js';

/**
 * The plugins of a run: the built-in ones, then every `--plugin` in order. The one place the
 * built-in plugins are loaded from (they are ordinary plugins; nothing below modes/ knows them).
 */
export async function loadPlugins(paths: readonly string[]): Promise<PluginRegistry> {
  const registry = new PluginRegistry({ builtins: BUILTIN_PLUGINS });
  for (const p of paths) await registry.load(p);
  return registry;
}
