import { BUILTIN_PLUGINS } from '../../plugins/index.js';
import { FaultController } from '../fault/fault-controller.js';
import type { ConnectionOptions } from '../options/connection-options.js';
import type { VerboseLog } from '../pipe/verbose.js';
import { PluginRegistry } from '../plugin/registry.js';

/**
 * `--fault` in pipe mode (connect, listen, the proxy's relay), where there is no session: the
 * built-in plugins and `--plugin` ones, then every `--fault`, checked against the protocol before
 * any connection. Faults speak on standard error, what they do with -v (`fault: ...`), a fault
 * that failed always. The seed is printed with -v, so a run can be repeated.
 */
export async function pipeFaults(
  options: Pick<ConnectionOptions, 'fault' | 'plugin' | 'seed' | 'udp'>,
  log: VerboseLog,
  stderr: NodeJS.WritableStream,
): Promise<FaultController> {
  const registry = new PluginRegistry({ builtins: BUILTIN_PLUGINS });
  for (const p of options.plugin) await registry.load(p);
  const faults = new FaultController(registry, {
    proto: options.udp ? 'udp' : 'tcp',
    seed: options.seed,
    log(text, level, conn) {
      const where = conn === undefined ? '' : `connection ${conn}: `;
      if (level === 'info') log.line(`fault: ${where}${text}`);
      else stderr.write(`sockrepl: fault: ${where}${text}\n`);
    },
  });
  for (const spec of options.fault) faults.add(spec, '--fault');
  log.line(`Faults: ${faults.summary()}; ${faults.seedLine()}`);
  return faults;
}
