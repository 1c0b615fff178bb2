import { parseHex } from '../codec/input.js';
import { UsageError } from '../errors.js';

/**
 * Hex bytes in a script (`hex` lines, `hex:` patterns), read by the same parser as the REPL's
 * /hex and /expect hex: (`de ad be ef`, `deadbeef`, `0xde 0xad`, `\xde\xad`, `de:ad`), so a
 * line that passes the parse-time check is one the interpreter accepts when it runs. A script
 * must give at least one byte.
 */
export function parseHexBytes(text: string): Uint8Array {
  const bytes = parseHex(text);
  if (bytes.length === 0) throw new UsageError('no hex bytes given');
  // A plain Uint8Array view, as the script's values have always been (no copy).
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}
