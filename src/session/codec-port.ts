import { parseEscapes } from '../codec/escapes.js';
import { parseHex } from '../codec/input.js';
import { UsageError } from '../errors.js';
import type { TextCodec } from './text-port.js';

/** What the interpreter needs from the codecs' input parsing, with the command named in errors. */

export function parseHexBytes(text: string, what = 'hex'): Buffer {
  return prefixed(what, () => parseHex(text));
}

/** Text with escapes (\r \n \t \0 \xNN...) → bytes, characters in the session encoding. */
export function encodeEscaped(text: string, codec: TextCodec, what = 'send'): Buffer {
  return prefixed(what, () => parseEscapes(text, 'text', codec.name));
}

function prefixed<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(`${what}: ${err.message}`);
    throw err;
  }
}
