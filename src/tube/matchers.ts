import { hexLiteral, quoteText } from '../codec/bytes-literal.js';
import { encodeText } from '../codec/text.js';
import type { BufferMatch, ReceiveBuffer } from './receive-buffer.js';

/**
 * What `expect`, `recvUntil` and `expect-any` wait for: exact text (as the bytes it encodes to),
 * exact bytes, a regex over the text, or the peer's EOF. A matcher remembers how far it has
 * searched, so waiting on a growing buffer costs O(new bytes) per chunk for text and bytes.
 */

export type Pattern = string | RegExp | Uint8Array | 'eof' | CustomPattern;
export type PatternKind = 'text' | 'regex' | 'bytes' | 'eof' | 'custom';

/**
 * Any other condition on the buffered bytes, e.g. "the next whole frame" of a framing plugin. `find`
 * is called on every change of the buffer and must not change anything; the bytes up to `end`
 * are consumed when the expect chooses this pattern.
 */
export interface CustomPattern {
  /** How the pattern is written in a script or a message: `frame`. */
  readonly description: string;
  find(buffer: ReceiveBuffer): CustomMatch | undefined;
}

export interface CustomMatch extends BufferMatch {
  /** The match's strings (`$0`, `$1`...); by default the matched bytes as text. */
  values?: (string | undefined)[];
  /** Anything the pattern wants to hand to the caller (a Frame), as ExpectMatch.data. */
  data?: unknown;
}

export interface Matcher {
  readonly kind: PatternKind;
  /** The pattern as a script would write it. */
  readonly description: string;
  find(buffer: ReceiveBuffer): CustomMatch | undefined;
  /** Forget the search position (the buffer changed other than by appending). */
  restart(): void;
}

/**
 * Builds a matcher. The string `'eof'` means the end of input; to wait for the text "eof" use
 * `/eof/` or its bytes.
 */
export function matcher(pattern: Pattern, encoding: string): Matcher {
  if (pattern === 'eof') return eofMatcher();
  if (pattern instanceof RegExp) return regexMatcher(pattern, encoding);
  if (typeof pattern === 'string')
    return needleMatcher('text', encodedNeedle(pattern, encoding), () => quoteText(pattern));
  if (pattern instanceof Uint8Array) return needleMatcher('bytes', pattern, () => hexLiteral(pattern));
  return {
    kind: 'custom',
    description: pattern.description,
    find: (buffer) => pattern.find(buffer),
    restart() {},
  };
}

/**
 * Text to wait for as a Pattern. The string `'eof'` means the end of input, so the text "eof" (a
 * quoted pattern at the prompt or in a script) is given as its bytes instead.
 */
export function textPattern(text: string, encoding: string): string | Uint8Array {
  return text === 'eof' ? encodeText(text, encoding) : text;
}

/** Recently encoded text patterns: a script's loop expects the same few texts thousands of times. */
const NEEDLES = new Map<string, Uint8Array>();
const MAX_NEEDLES = 256;

function encodedNeedle(text: string, encoding: string): Uint8Array {
  if (text.length > 1024) return encodeText(text, encoding);
  const key = `${encoding}\0${text}`;
  let bytes = NEEDLES.get(key);
  if (!bytes) {
    bytes = encodeText(text, encoding);
    if (NEEDLES.size >= MAX_NEEDLES) NEEDLES.delete(NEEDLES.keys().next().value!);
    NEEDLES.set(key, bytes);
  }
  return bytes;
}

/** `describe` runs only when a message needs the description (most expects succeed). */
function needleMatcher(kind: 'text' | 'bytes', needle: Uint8Array, describe: () => string): Matcher {
  let from = 0;
  let description: string | undefined;
  return {
    kind,
    get description() {
      description ??= describe();
      return description;
    },
    find(buffer) {
      const m = buffer.findBytes(needle, Math.min(from, buffer.length));
      // Next time, search only where a match could still begin.
      if (!m) from = Math.max(0, buffer.length - needle.length + 1);
      return m;
    },
    restart() {
      from = 0;
    },
  };
}

function regexMatcher(re: RegExp, encoding: string): Matcher {
  // A private copy: the caller's lastIndex is never touched, and `g` has no effect on exec from 0.
  const own = new RegExp(re.source, re.flags.replace('g', ''));
  return {
    kind: 'regex',
    description: `/${re.source}/${re.flags}`,
    find: (buffer) => buffer.findRegex(own, encoding),
    restart() {},
  };
}

function eofMatcher(): Matcher {
  return {
    kind: 'eof',
    description: 'eof',
    // At EOF everything left is "before" the match, which is empty.
    find: (buffer) => (buffer.atEnd ? { start: buffer.length, end: buffer.length } : undefined),
    restart() {},
  };
}
