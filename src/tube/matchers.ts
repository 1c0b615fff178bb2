import { encodeText } from '../codec/text.js';
import { hexLiteral, quoteText } from './bytes-literal.js';
import type { BufferMatch, ReceiveBuffer } from './receive-buffer.js';

/**
 * What `expect`, `recvUntil` and `expect-any` wait for: exact text (as the bytes it encodes to),
 * exact bytes, a regex over the text, or the peer's EOF. A matcher remembers how far it has
 * searched, so waiting on a growing buffer costs O(new bytes) per chunk for text and bytes.
 */

export type Pattern = string | RegExp | Uint8Array | 'eof';
export type PatternKind = 'text' | 'regex' | 'bytes' | 'eof';

export interface Matcher {
  readonly kind: PatternKind;
  /** The pattern as a script would write it. */
  readonly description: string;
  find(buffer: ReceiveBuffer): BufferMatch | undefined;
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
  if (typeof pattern === 'string') {
    return needleMatcher('text', encodeText(pattern, encoding), quoteText(pattern));
  }
  return needleMatcher('bytes', pattern, hexLiteral(pattern));
}

function needleMatcher(kind: 'text' | 'bytes', needle: Uint8Array, description: string): Matcher {
  let from = 0;
  return {
    kind,
    description,
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
