import { BUILTIN_PLUGINS } from '../../plugins/index.js';
import type { ConnectionOptions } from '../cli/connection-options.js';
import { PluginRegistry } from '../plugin/registry.js';
import { FaultController, type FaultLogLevel } from './fault-controller.js';

/**
 * The faults of a run without a session (pipe mode, the pipe-mode proxy): the built-in plugins
 * and `--plugin` ones, then every `--fault`, checked against the protocol before any connection.
 */
export async function createFaults(
  options: Pick<ConnectionOptions, 'fault' | 'plugin' | 'seed' | 'udp'>,
  log: (text: string, level: FaultLogLevel, conn?: number) => void,
): Promise<FaultController> {
  const registry = new PluginRegistry({ builtins: BUILTIN_PLUGINS });
  for (const p of options.plugin) await registry.load(p);
  const faults = new FaultController(registry, {
    proto: options.udp ? 'udp' : 'tcp',
    seed: options.seed,
    log,
  });
  for (const spec of options.fault) faults.add(spec, '--fault');
  return faults;
}
