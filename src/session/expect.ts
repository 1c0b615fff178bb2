import { compileRegex, regexFlagsProblem } from '../codec/regex-literal.js';
import { parseDuration } from '../codec/units.js';
import { UsageError } from '../errors.js';
import { type Pattern, textPattern } from '../tube/matchers.js';
import { encodeEscaped, parseHexBytes } from './codec-port.js';
import type { TextCodec } from './text-port.js';

/**
 * How /expect is typed at the prompt and in `--json` mode (scripts have their own tokens, with
 * variables, but the same pieces: regex-literal, the codecs' hex and escapes, the tube's patterns):
 *   eof                    the peer closed its write side
 *   frame                  the next whole frame (when framing is on)
 *   /regex/flags           a JavaScript regex over the text in the session encoding
 *   hex:"de ad" hex:dead   exact bytes
 *   "text"                 exact bytes of the text with escapes (\r \n \t \0 \u{...}; \xNN is a raw byte)
 *   'text' text            exact text, as typed
 * and an optional last word that is a duration (5s, 500ms) for the timeout. What comes out is
 * matched by the tube's matchers over the connection's receive buffer.
 */

/** What /expect waits for, and how it was typed (the expect event's `pattern`). */
export type ExpectPattern =
  | { pattern: Pattern; source: string }
  /** The next whole frame: its pattern depends on the connection (see framePattern). */
  | { frame: true; source: string };

export type ExpectArgs = ExpectPattern & { timeoutMs: number | undefined };

const DURATION = /^\d+(?:\.\d+)?(?:ms|s|m|h)$/i;

export function parseExpectArgs(rest: string, codec: TextCodec): ExpectArgs {
  let text = rest.trim();
  if (text === '')
    throw new UsageError('expect: what? e.g. /expect "OK" 5s, /expect /^\\d+/, /expect hex:0a');
  let timeoutMs: number | undefined;
  const last = /\s+(\S+)$/.exec(text);
  if (last && DURATION.test(last[1]!)) {
    timeoutMs = parseDuration(last[1]!, 'expect timeout');
    text = text.slice(0, last.index);
  }
  return { ...parseExpectPattern(text, codec), timeoutMs };
}

function parseExpectPattern(text: string, codec: TextCodec): ExpectPattern {
  const source = text;
  if (/^eof$/i.test(text)) return { pattern: 'eof', source };
  if (/^frame$/i.test(text)) return { frame: true, source };
  if (text.startsWith('/') && text.length > 1) {
    const m = /^\/(.*)\/([A-Za-z]*)$/s.exec(text);
    if (!m) throw new UsageError(`expect: ${text}: a regex needs a closing / (e.g. /OK \\d+/)`);
    const problem = regexFlagsProblem(m[2]!);
    if (problem) throw new UsageError(`expect: ${problem}`);
    try {
      return { pattern: compileRegex(m[1]!, m[2]!), source };
    } catch (err) {
      throw new UsageError(`expect: bad regex: ${(err as Error).message}`);
    }
  }
  const hex = /^hex:(.*)$/is.exec(text);
  if (hex) {
    const bytes = parseHexBytes(unquote(hex[1]!.trim()), 'expect hex');
    if (bytes.length === 0) throw new UsageError('expect: hex: needs at least one byte');
    return { pattern: bytes, source };
  }
  // Double quotes: the bytes the escapes stand for, so `\xff` is that byte in any encoding.
  const pattern =
    text.length >= 2 && text.startsWith('"') && text.endsWith('"')
      ? encodeEscaped(text.slice(1, -1), codec, 'expect')
      : textPattern(unquote(text), codec.name);
  if (pattern.length === 0) throw new UsageError('expect: an empty string matches nothing');
  return { pattern, source };
}

/** The text inside double or single quotes, taken as is; other text unchanged. */
function unquote(text: string): string {
  if (
    text.length >= 2 &&
    ((text.startsWith('"') && text.endsWith('"')) || (text.startsWith("'") && text.endsWith("'")))
  )
    return text.slice(1, -1);
  return text;
}
