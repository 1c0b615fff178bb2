import type { Command } from 'commander';
import { parsePort } from '../codec/units.js';
import { UsageError } from '../errors.js';
import { checkProgramOptions } from '../modes/program-spec.js';
import { startSession } from '../modes/run-session.js';
import { unbracket } from '../net/resolve.js';
import { addOptionFlags, commandOptions } from './option-flags.js';

/** The netcat-style default (`sockrepl host port`), `connect` and `listen` (also `-l`). */
export function registerNetworkCommands(program: Command): void {
  addOptionFlags(program, 'connect')
    .argument('[host]', 'host to connect to')
    .argument('[port]', 'port to connect to')
    .action(async (host: string | undefined, port: string | undefined, _opts, cmd: Command) => {
      if (host === undefined && cmd.getOptionValueSource('unix') === undefined) {
        program.help();
        return;
      }
      await connectAction(host, port, cmd);
    });

  addOptionFlags(
    program
      .command('connect')
      .description('open a connection (TCP, or UDP with -u) and exchange data')
      .usage('[options] <host> <port>  |  -U <path>')
      .argument('[host]', 'host name or address (IPv6 as ::1 or [::1])')
      .argument('[port]', 'port'),
    'connect',
  ).action(async (host: string | undefined, port: string | undefined, _opts, cmd: Command) =>
    connectAction(host, port, cmd),
  );

  addOptionFlags(
    program
      .command('listen')
      .alias('l')
      .description('listen for clients (TCP, or UDP with -u); also `sockrepl -l [host] <port>`')
      .usage('[options] [host] <port>')
      .argument('[host]', 'local address to listen on (default 0.0.0.0), or the port when alone')
      .argument('[port]', 'port (0 picks a free one)'),
    'listen',
  ).action(async (a: string | undefined, b: string | undefined, _opts, cmd: Command) => {
    const options = commandOptions(cmd, 'listen');
    checkProgramOptions(options, options.exec !== undefined, 'listen');
    if (options.unix !== undefined) {
      if (a !== undefined)
        throw new UsageError(`listen -U ${options.unix}: no host or port with a unix socket (got '${a}')`);
      process.exitCode = await startSession({ kind: 'listen', host: options.unix, port: 0, options });
      return;
    }
    // Commander cannot put an optional argument before a required one: the port is checked here.
    if (a === undefined) throw new UsageError('listen: which port? sockrepl listen [host] <port>');
    const [host, port] = b === undefined ? [undefined, a] : [a, b];
    process.exitCode = await startSession({
      kind: 'listen',
      host: host && unbracket(host),
      port: parsePort(port),
      options,
    });
  });
}

async function connectAction(
  host: string | undefined,
  port: string | undefined,
  cmd: Command,
): Promise<void> {
  const options = commandOptions(cmd, 'connect');
  checkProgramOptions(options, options.exec !== undefined, 'connect');
  if (options.unix !== undefined) {
    if (host !== undefined)
      throw new UsageError(`-U ${options.unix}: no host or port with a unix socket (got '${host}')`);
    process.exitCode = await startSession({ kind: 'connect', host: options.unix, port: 0, options });
    return;
  }
  if (host === undefined)
    throw new UsageError('connect: which host and port? sockrepl connect <host> <port>');
  if (port === undefined) throw new UsageError(`missing port: sockrepl ${host} <port>`);
  process.exitCode = await startSession({ kind: 'connect', host, port: parsePort(port), options });
}
