import { type Command, Option } from 'commander';
import { UsageError } from '../../errors.js';
import type { DecodeOptions } from './decode-run.js';

/**
 * `sockrepl decode`: offline decoding of bytes given as hex, a file, or standard input. A hex
 * dump by default (streamed, for files of any size), or the text, a struct, or the inspector.
 */
export function registerDecodeCommand(program: Command): void {
  program
    .command('decode')
    .description('decode bytes offline: hex dump (default), --text, --struct <fmt> or --inspect <offset>')
    .argument(
      '[input...]',
      'hex bytes (de ad be ef, deadbeef, 0xde 0xad, \\xde\\xad, de:ad), a file, or - for stdin',
    )
    .option('-f, --file <path>', 'read the bytes from a file')
    .option('-E, --encoding <name>', 'encoding of the text column and of --text', 'utf8')
    // -E everywhere, as -e runs a program in connect and listen; here -e can mean nothing else.
    .addOption(new Option('-e, --enc <name>').hideHelp())
    .option('--text', 'print only the decoded text')
    .option('--struct <fmt>', "unpack with a Python struct format, e.g. '<I3sf'")
    .option('--inspect <offset>', 'decode the bytes at an offset as every type (negative: from the end)')
    .addOption(
      new Option('--endian <order>', 'byte order for --inspect and for formats without < > ! = @')
        .choices(['le', 'be'])
        .default('be'),
    )
    .option('--json', 'machine-readable output')
    .option('-c, --columns <n>', 'bytes per line of the hex dump', '16')
    .option('-g, --group <n>', 'bytes per group of hex digits', '1')
    .option('--no-squeeze', 'print repeated lines instead of *')
    .option('-s, --skip <offset>', 'start at this byte (0x hex, 64k; negative: from the end)')
    .option('-n, --length <bytes>', 'decode at most this many bytes')
    .option('-u, --uppercase', 'uppercase hex digits')
    .action(async (input: string[], opts: DecodeOptions) => {
      try {
        // The codecs load only when decode runs: every other command starts without them.
        const { runDecode } = await import('./decode-run.js');
        await runDecode(input, { ...opts, encoding: (opts as { enc?: string }).enc ?? opts.encoding });
      } catch (err) {
        if (err instanceof UsageError) throw new UsageError(`decode: ${err.message}`);
        throw err;
      }
    });
}
