import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { addConnectionOptions } from './connection-options.js';

/** connect / listen / the netcat-style default. Filled in with the transports. */
export function registerNetworkCommands(program: Command): void {
  addConnectionOptions(program.command('connect').argument('<host>').argument('<port>')).action(() => {
    throw new UsageError('connect is not wired yet');
  });
}
