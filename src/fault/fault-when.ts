import { parseHex } from '../codec/input.js';
import { UsageError } from '../errors.js';

/** What a content-triggered fault (`when=`) looks for in a chunk. */
export interface ChunkMatcher {
  /** As written, for lists and messages. */
  readonly text: string;
  test(chunk: Uint8Array): boolean;
}

/**
 * `when=/LOGIN/i` (a regular expression over the chunk's bytes, one character per byte, so `\x00`
 * matches a zero byte), `when=hex:"00 05"` or `when=hex:0005` (those bytes anywhere in the chunk),
 * or `when="text"` (that text, as UTF-8 bytes). Quotes and slashes keep commas inside the value.
 */
export function parseWhen(raw: string): ChunkMatcher {
  const text = raw.trim();
  const regex = /^\/(.*)\/([a-z]*)$/s.exec(text);
  if (regex) {
    const [, body, flags] = regex;
    if (body === '') throw new UsageError(`when: '${text}' is an empty pattern`);
    if (/[gy]/.test(flags!)) throw new UsageError(`when: flag g or y makes no sense for a match per chunk`);
    let re: RegExp;
    try {
      re = new RegExp(body!, flags);
    } catch (err) {
      throw new UsageError(`when: '${text}' is not a regular expression: ${(err as Error).message}`);
    }
    return { text, test: (chunk) => re.test(latin1(chunk)) };
  }
  const hex = /^hex:(.*)$/is.exec(text);
  if (hex) return bytesMatcher(text, hexBytes(text, unquote(hex[1]!.trim())));
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"'))
    return bytesMatcher(text, Buffer.from(text.slice(1, -1), 'utf8'));
  throw new UsageError(
    `when: '${text}' is neither /regex/, hex:"00 05" nor "text" (e.g. when=/LOGIN/ or when=hex:"00 05")`,
  );
}

function hexBytes(text: string, digits: string): Buffer {
  let bytes: Buffer;
  try {
    bytes = parseHex(digits);
  } catch (err) {
    throw new UsageError(`when: '${text}': ${(err as Error).message}`);
  }
  if (bytes.length === 0) throw new UsageError(`when: '${text}' has no bytes to look for`);
  return bytes;
}

function bytesMatcher(text: string, needle: Buffer): ChunkMatcher {
  if (needle.length === 0) throw new UsageError(`when: '${text}' has nothing to look for`);
  return {
    text,
    test: (chunk) => Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).includes(needle),
  };
}

function unquote(s: string): string {
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s;
}

function latin1(chunk: Uint8Array): string {
  return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
}
