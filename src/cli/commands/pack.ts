import { type Command, Option } from 'commander';
import { UsageError } from '../../errors.js';
import type { PackOptions } from './pack-run.js';

/**
 * `sockrepl pack <fmt> <values...>`: Python's struct.pack from the shell. Prints lowercase hex,
 * or the raw bytes with --raw (for `| sockrepl host port`).
 */

export function registerPackCommand(program: Command): void {
  program
    .command('pack')
    .description("struct-pack values and print them as hex, e.g. pack '>HI' 1 0xdeadbeef")
    .argument('<fmt>', 'a Python struct format: < > ! = @, counts, x c b B ? h H i I l L q Q e f d s p')
    .argument(
      '[values...]',
      'integers (decimal or 0x), floats, true/false, bytes as text with escapes (a\\x00) or hex:00ff',
    )
    .option('--raw', 'write the raw bytes instead of hex')
    .addOption(
      new Option('--endian <order>', 'byte order for a format without < > ! = @')
        .choices(['le', 'be'])
        .default('be'),
    )
    .option('-E, --encoding <name>', 'encoding of text values for s, p and c', 'utf8')
    // -E everywhere, as -e runs a program in connect and listen; here -e can mean nothing else.
    .addOption(new Option('-e, --enc <name>').hideHelp())
    // Negative numbers are values here, even where a parent command has -4/-6 options.
    .allowUnknownOption()
    .action(async (format: string, values: string[], opts: PackOptions) => {
      try {
        const { runPack } = await import('./pack-run.js');
        await runPack(format, values, { ...opts, encoding: (opts as { enc?: string }).enc ?? opts.encoding });
      } catch (err) {
        if (err instanceof UsageError) throw new UsageError(`pack: ${err.message}`);
        throw err;
      }
    });
}
