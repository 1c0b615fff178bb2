import type { Command } from 'commander';
import { didYouMean, nearMatches } from '../codec/near-match.js';
import { parsePort } from '../codec/units.js';
import { UsageError } from '../errors.js';
import { unbracket } from '../net/resolve.js';
import { addDeferredFlags, addOptionFlags, addOptionFlagsOnUse } from './option-flags.js';
import { startSession } from './start-session.js';

/** The netcat-style default (`sockrepl host port`), `connect` and `listen` (also `-l`). */
export function registerNetworkCommands(program: Command): void {
  addOptionFlags(program, 'connect')
    .argument('[host]', 'host to connect to')
    .argument('[port]', 'port to connect to')
    // Extra words are checked here, so that a mistyped command gets "did you mean".
    .allowExcessArguments(true)
    .action(async (host: string | undefined, port: string | undefined, _opts, cmd: Command) => {
      if (host === undefined && cmd.getOptionValueSource('unix') === undefined) {
        program.help();
        return;
      }
      if (host === 'help') {
        showHelp(program, port);
        return;
      }
      checkNotACommand(program, host, cmd.args);
      await connectAction(host, port, cmd);
    });

  addOptionFlagsOnUse(
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

  addOptionFlagsOnUse(
    program
      .command('listen')
      .alias('l')
      .description('listen for clients (TCP, or UDP with -u); also `sockrepl -l [host] <port>`')
      .usage('[options] [host] <port>')
      .argument('[host]', 'local address to listen on (default 0.0.0.0), or the port when alone')
      .argument('[port]', 'port (0 picks a free one)'),
    'listen',
  ).action(async (a: string | undefined, b: string | undefined, _opts, cmd: Command) => {
    const { commandOptions } = await import('./command-options.js');
    const { checkProgramOptions } = await import('../modes/program-spec.js');
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
    const [given, port] = b === undefined ? [undefined, a] : [a, b];
    process.exitCode = await startSession({
      kind: 'listen',
      host: listenAddress(given, options.source),
      port: parsePort(port),
      options,
    });
  });
}

/**
 * Where `listen` binds: its host argument, or -s (--source, the local address to bind, as it is
 * for a proxy; OpenBSD nc refuses -s with -l instead). Both, naming different addresses, is a
 * usage error.
 */
function listenAddress(host: string | undefined, source: string | undefined): string | undefined {
  const a = host && unbracket(host);
  const s = source && unbracket(source);
  if (a !== undefined && s !== undefined && a !== s)
    throw new UsageError(`listen: two addresses to listen on, '${a}' and -s '${s}'; give one`);
  return a ?? s;
}

async function connectAction(
  host: string | undefined,
  port: string | undefined,
  cmd: Command,
): Promise<void> {
  const { commandOptions } = await import('./command-options.js');
  const { checkProgramOptions } = await import('../modes/program-spec.js');
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
  if (options.scan) {
    const { runPortScan } = await import('../modes/port-scan.js');
    process.exitCode = await runPortScan(host, port, options);
    return;
  }
  process.exitCode = await startSession({ kind: 'connect', host, port: parsePort(port), options });
}

/** `sockrepl help [command]`: the command's own help, or the program's. */
function showHelp(program: Command, topic: string | undefined): void {
  if (topic === undefined) {
    program.help();
    return;
  }
  const sub = program.commands.find((c) => c.name() === topic || c.aliases().includes(topic));
  if (!sub) throw new UsageError(`help: no command '${topic}'${didYouMean(topic, commandNames(program))}`);
  addDeferredFlags(sub);
  sub.help();
}

function commandNames(program: Command): string[] {
  return program.commands.map((c) => c.name()).filter((n) => n !== 'help');
}

/**
 * `sockrepl lisen 8000` is a typo of a command, not a host named "lisen": a word close to a
 * command's name (and not an address) is refused with the suggestion, before any DNS lookup.
 * `sockrepl connect lisen 8000` still reaches a host by that name.
 */
function checkNotACommand(program: Command, host: string | undefined, args: readonly string[]): void {
  if (host !== undefined && !/[.:\d]/.test(host)) {
    const near = nearMatches(host, commandNames(program), 1);
    if (near.length > 0 && near[0] !== host)
      throw new UsageError(
        `unknown command '${host}' (did you mean '${near[0]}'?); to reach a host of that name: sockrepl connect ${host} <port>`,
      );
  }
  if (args.length > 2)
    throw new UsageError(`too many arguments: sockrepl [options] <host> <port> (got ${args.length})`);
}
