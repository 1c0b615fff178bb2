import { FaultController } from '../fault/fault-controller.js';
import type { ConnectionOptions } from '../options/connection-options.js';
import type { VerboseLog } from '../pipe/verbose.js';
import { loadPlugins } from './plugin-registry.js';

/**
 * `--plugin` and `--fault` in pipe mode (connect, listen, the proxy's relay), where there is no
 * session: the built-in plugins and `--plugin` ones (loaded even without `--fault`, so a plugin
 * that fails to load is exit 2 in every mode), then every `--fault`, checked against the protocol
 * before any connection. Undefined when no fault is given: pipe mode has no use for a plugin's
 * framers, commands or inspector rows. Faults speak on standard error, what they do with -v
 * (`fault: ...`), a fault that failed always. The seed is printed with -v, so a run can be repeated.
 */
export async function pipeFaults(
  options: Pick<ConnectionOptions, 'fault' | 'plugin' | 'seed' | 'udp'>,
  log: VerboseLog,
  stderr: NodeJS.WritableStream,
): Promise<FaultController | undefined> {
  const registry = await loadPlugins(options.plugin);
  if (options.fault.length === 0) return undefined;
  const faults = new FaultController(registry, {
    proto: options.udp ? 'udp' : 'tcp',
    seed: options.seed,
    log(text, level, conn) {
      const where = conn === undefined ? '' : `connection ${conn}: `;
      if (level === 'info') log.line(`fault: ${where}${text}`);
      else stderr.write(`sockrepl: fault: ${where}${text}\n`);
    },
    onAction: (a) =>
      log.line(`fault: connection ${a.conn}: #${a.id} ${a.fault}${a.dir ? ` ${a.dir}` : ''}: ${a.action}`),
  });
  for (const spec of options.fault) faults.add(spec, '--fault');
  log.line(`Faults: ${faults.summary()}; ${faults.seedLine()}`);
  return faults;
}
