import { parseDuration } from '../cli/units.js';
import { UsageError } from '../errors.js';

/**
 * The /expect pattern language, shared by the REPL, `--json` and scripts:
 *   eof                    the peer closed its write side
 *   frame                  the next whole frame (when framing is on)
 *   /regex/flags           a JavaScript regex over the text in the session encoding
 *   hex:"de ad" hex:dead   exact bytes
 *   "text" 'text' text     exact text (in double quotes: escapes \r \n \t \xNN \0)
 * and an optional last word that is a duration (5s, 500ms) for the timeout.
 */

export type ExpectPattern =
  | { kind: 'text'; text: string; source: string }
  | { kind: 'bytes'; bytes: Buffer; source: string }
  | { kind: 'regex'; regex: RegExp; source: string }
  | { kind: 'eof'; source: string }
  | { kind: 'frame'; source: string };

export interface ExpectArgs {
  pattern: ExpectPattern;
  timeoutMs: number | undefined;
}

export interface ExpectParsers {
  /** Turns the inside of a double-quoted string into text (escape sequences). */
  unescapeText(text: string): string;
  /** Turns hex text into bytes. */
  hex(text: string): Buffer;
}

export interface TextCoder {
  decode(bytes: Buffer): string;
  encode(text: string): Buffer;
}

export interface ExpectMatch {
  /** Bytes consumed: everything up to the end of the match. */
  end: number;
  match: Buffer;
  groups: string[];
}

const DURATION = /^\d+(?:\.\d+)?(?:ms|s|m|h)$/i;

export function parseExpectArgs(rest: string, parsers: ExpectParsers): ExpectArgs {
  let text = rest.trim();
  if (text === '')
    throw new UsageError('expect: what? e.g. /expect "OK" 5s, /expect /^\\d+/, /expect hex:0a');
  let timeoutMs: number | undefined;
  const last = /\s+(\S+)$/.exec(text);
  if (last && DURATION.test(last[1]!)) {
    timeoutMs = parseDuration(last[1]!, 'expect timeout');
    text = text.slice(0, last.index);
  }
  return { pattern: parseExpectPattern(text, parsers), timeoutMs };
}

export function parseExpectPattern(text: string, parsers: ExpectParsers): ExpectPattern {
  const source = text;
  if (/^eof$/i.test(text)) return { kind: 'eof', source };
  if (/^frame$/i.test(text)) return { kind: 'frame', source };
  if (text.startsWith('/') && text.length > 1) {
    const m = /^\/(.*)\/([dgimsuy]*)$/s.exec(text);
    if (!m) throw new UsageError(`expect: ${text}: a regex needs a closing / (e.g. /OK \\d+/)`);
    try {
      // 'g' and 'y' would make matching stateful; the position is ours to manage.
      return { kind: 'regex', regex: new RegExp(m[1]!, m[2]!.replace(/[gy]/g, '')), source };
    } catch (err) {
      throw new UsageError(`expect: bad regex ${text}: ${(err as Error).message}`);
    }
  }
  const hex = /^hex:(.*)$/is.exec(text);
  if (hex) {
    const body = unquote(hex[1]!.trim(), (s) => s);
    const bytes = parsers.hex(body);
    if (bytes.length === 0) throw new UsageError('expect: hex: needs at least one byte');
    return { kind: 'bytes', bytes, source };
  }
  const str = unquote(text, parsers.unescapeText);
  if (str === '') throw new UsageError('expect: an empty string matches nothing');
  return { kind: 'text', text: str, source };
}

function unquote(text: string, unescapeText: (s: string) => string): string {
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) return unescapeText(text.slice(1, -1));
  if (text.length >= 2 && text.startsWith("'") && text.endsWith("'")) return text.slice(1, -1);
  return text;
}

/** Finds the pattern in the buffered bytes; eof and frame are decided by the caller. */
export function findMatch(buf: Buffer, pattern: ExpectPattern, coder: TextCoder): ExpectMatch | undefined {
  switch (pattern.kind) {
    case 'bytes':
    case 'text': {
      const needle = pattern.kind === 'bytes' ? pattern.bytes : coder.encode(pattern.text);
      const at = buf.indexOf(needle);
      if (at < 0) return undefined;
      return { end: at + needle.length, match: buf.subarray(at, at + needle.length), groups: [] };
    }
    case 'regex': {
      const text = coder.decode(buf);
      const m = pattern.regex.exec(text);
      if (!m) return undefined;
      // Map character offsets back to bytes by encoding the text before and through the match.
      const start = Math.min(buf.length, coder.encode(text.slice(0, m.index)).length);
      const end = Math.min(buf.length, coder.encode(text.slice(0, m.index + m[0].length)).length);
      return { end, match: buf.subarray(start, end), groups: m.slice(1).map((g) => g ?? '') };
    }
    default:
      return undefined;
  }
}
