import { decodeText } from '../codec/text.js';
import type { CustomMatch, Matcher, PatternKind } from './matchers.js';

/** The result of expect: a RegExpMatchArray-like array of strings, plus the bytes. */
export interface ExpectMatch extends ReadonlyArray<string | undefined> {
  readonly kind: PatternKind;
  /** Which of expectAny's patterns matched (0 for expect). */
  readonly which: number;
  /** Byte offset of the match in what was buffered: the length of `before`. */
  readonly index: number;
  readonly groups: Readonly<Record<string, string | undefined>> | undefined;
  /** Bytes received before the match, consumed with it. */
  readonly before: Buffer;
  /** The matched bytes. */
  readonly bytes: Buffer;
  readonly elapsedMs: number;
  /** What a custom pattern handed over with its match (the Frame of a frame pattern). */
  readonly data?: unknown;
}

/** `before` of a match at the front of the buffer: no bytes, so one empty buffer serves all. */
const NOTHING = Buffer.alloc(0);

/** One decoder for the usual encoding: decodeText looks the encoding up and makes one per call. */
const UTF8 = new TextDecoder('utf-8');

/** The match of `m` over the bytes `taken` off the buffer (everything up to the match's end). */
export function buildMatch(
  m: Matcher,
  which: number,
  found: CustomMatch,
  taken: Buffer,
  encoding: string,
  elapsedMs: number,
): ExpectMatch {
  // A match at the front (the usual case) needs no views of what was taken.
  const before = found.start === 0 ? NOTHING : taken.subarray(0, found.start);
  const bytes = found.start === 0 ? taken : taken.subarray(found.start);
  const strings: (string | undefined)[] = found.exec
    ? [...found.exec]
    : found.values
      ? [...found.values]
      : [
          m.kind === 'bytes'
            ? bytes.toString('latin1')
            : encoding === 'utf8'
              ? UTF8.decode(bytes)
              : decodeText(bytes, encoding),
        ];
  // Set one by one rather than through Object.assign: no object made only to be copied.
  const match = strings as unknown as Record<string, unknown>;
  match.kind = m.kind;
  match.which = which;
  match.index = found.start;
  match.groups = found.exec?.groups;
  match.before = before;
  match.bytes = bytes;
  match.elapsedMs = elapsedMs;
  if (found.data !== undefined) match.data = found.data;
  return strings as unknown as ExpectMatch;
}
