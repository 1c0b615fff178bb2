import { packValues } from '../../codec/pack-values.js';
import { resolveEncoding } from '../../codec/text.js';
import { UsageError } from '../../errors.js';

/**
 * `sockrepl pack <fmt> <values...>`: Python's struct.pack from the shell. Prints lowercase hex,
 * or the raw bytes with --raw (for `| sockrepl host port`).
 */

export interface PackOptions {
  raw?: boolean;
  endian: 'le' | 'be';
  encoding: string;
}

export async function runPack(format: string, values: string[], opts: PackOptions): Promise<void> {
  const stray = values.find((v) => /^--?[a-z]/i.test(v) && !/^-(\d|\.\d|inf|nan)/i.test(v));
  if (stray)
    throw new UsageError(`unknown option '${stray}' (put options before the values, or -- before values)`);
  resolveEncoding(opts.encoding);
  const bytes = packValues(format, values, { endian: opts.endian, encoding: opts.encoding });
  const chunk = opts.raw ? bytes : `${bytes.toString('hex')}\n`;
  await new Promise<void>((resolve) => process.stdout.write(chunk, () => resolve()));
}
