import type { ConnectionOptions } from '../cli/connection-options.js';
import type { VerboseLog } from '../pipe/verbose.js';
import { createFaults } from './create-faults.js';
import type { FaultController } from './fault-controller.js';

/**
 * `--fault` in pipe mode: faults speak on standard error, what they do with -v (`fault: ...`),
 * a fault that failed always. The seed is printed with -v, so a run can be repeated.
 */
export async function pipeFaults(
  options: Pick<ConnectionOptions, 'fault' | 'plugin' | 'seed' | 'udp'>,
  log: VerboseLog,
  stderr: NodeJS.WritableStream,
): Promise<FaultController> {
  const faults = await createFaults(options, (text, level, conn) => {
    const where = conn === undefined ? '' : `connection ${conn}: `;
    if (level === 'info') log.line(`fault: ${where}${text}`);
    else stderr.write(`sockrepl: fault: ${where}${text}\n`);
  });
  log.line(`Faults: ${faults.summary()}; ${faults.seedLine()}`);
  return faults;
}
