import { type Command, InvalidArgumentError, Option } from 'commander';
import { parseDuration } from '../codec/units.js';

/**
 * `sockrepl replay <capture> [options]`: list the flows of a pcap/pcapng file, write one as a
 * script, or play one side of it against a live peer. The capture code loads only when it runs.
 */
export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description('list the TCP/UDP flows of a capture (tcpdump, Wireshark, --pcap), script one, or replay it')
    .argument('<capture>', 'a pcap or pcapng file (Ethernet, Linux cooked SLL/SLL2, raw IP; IPv4/IPv6)')
    .option('--flow <n>', 'the flow to use, by its number in the listing', positive)
    .option('--match <host:port>', 'the flow with this address and port (or just a port) at either end')
    .option('--to <host:port>', "replay the flow's client side against a live server there")
    .addOption(
      new Option('--as <side>', 'which side to play').choices(['client', 'server']).default('client'),
    )
    .option('--listen <port>', 'with --as server: where to wait for the client', port)
    .option('--strict', 'replies must be the captured bytes exactly (default: the same lengths)')
    .option('--emit-script <file>', 'write the flow as a send/expect script for `sockrepl run`')
    .option('--timeout <dur>', 'how long each reply may take', '5s')
    .action(async (file: string, opts: Record<string, unknown>) => {
      const { runReplay } = await import('../modes/replay.js');
      process.exitCode = await runReplay(file, {
        flow: opts.flow as number | undefined,
        match: opts.match as string | undefined,
        to: opts.to as string | undefined,
        as: opts.as as 'client' | 'server',
        listen: opts.listen as number | undefined,
        strict: Boolean(opts.strict),
        emitScript: opts.emitScript as string | undefined,
        timeoutMs: parseDuration(String(opts.timeout)),
      });
    });
}

function positive(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a flow number (1, 2, ...)');
  return n;
}

function port(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port (0-65535)');
  return n;
}
