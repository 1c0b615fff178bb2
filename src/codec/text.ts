import iconv from 'iconv-lite';
import { UsageError } from '../errors.js';
import { editDistance } from './near-match.js';

/**
 * Text encodings through iconv-lite: every encoding it knows, validated up front with a helpful
 * error, and a stateful decoder so a multi-byte character split across chunks is shown once, whole.
 */

export const DEFAULT_ENCODING = 'utf8';

type EncodingTable = Record<string, unknown>;

function table(): EncodingTable {
  // iconv-lite loads its encoding table lazily, on the first lookup.
  if (!iconv.encodings) iconv.encodingExists('utf8');
  return iconv.encodings as EncodingTable;
}

function canonical(name: string): string {
  return name.toLowerCase().replace(/:\d{4}$|[^0-9a-z]/g, '');
}

export function encodingExists(name: string): boolean {
  // UTF-8, the default, is answered without loading iconv-lite's table of every encoding.
  if (canonical(name) === 'utf8') return true;
  return name.trim() !== '' && iconv.encodingExists(name);
}

/**
 * iconv-lite's codecs that spell bytes as digits rather than characters: "encoding" `abc` with
 * hex gives the one byte 0xab, and any text with a character outside the alphabet gives fewer
 * bytes than typed or none. They are no text encoding for the session, the screen or decode.
 */
const NOT_CHARACTER_ENCODINGS: ReadonlySet<string> = new Set(['hex', 'base64']);

/** Names resolveEncoding has accepted (a handful per run). */
const resolved = new Set<string>();

/** Every character encoding iconv-lite accepts (canonical spelling: lowercase, no punctuation), sorted. */
export function listEncodings(): string[] {
  return Object.keys(table())
    .filter((k) => !k.startsWith('_') && !NOT_CHARACTER_ENCODINGS.has(baseEncoding(k)))
    .sort();
}

/**
 * The codec an encoding name finally resolves to, following iconv-lite's alias chain:
 * `UTF-8` → `utf8`, `latin1` → `iso88591`, `euc-kr` → `cp949`.
 */
export function baseEncoding(name: string): string {
  const t = table();
  let key = canonical(name);
  for (let hops = 0; hops < 16 && typeof t[key] === 'string'; hops++) key = canonical(t[key] as string);
  return key;
}

/**
 * Checks an encoding name, the one check every text encoding given by a user passes (-e, /enc,
 * a script's `enc`, decode, the library): an unknown one is a UsageError that lists the nearest
 * known names, and one that is no character encoding (hex, base64) a UsageError that says so.
 */
export function resolveEncoding(name: string): string {
  // -x builds a dumper per chunk, and each asks again: answer a name once checked at once.
  if (resolved.has(name)) return name;
  if (encodingExists(name)) {
    // UTF-8 is answered without loading iconv-lite's table, as encodingExists does.
    if (canonical(name) !== 'utf8' && NOT_CHARACTER_ENCODINGS.has(baseEncoding(name)))
      throw new UsageError(`${name} is not a character encoding; pick one for text (utf8, latin1, gbk...)`);
    resolved.add(name);
    return name;
  }
  const near = nearEncodings(name);
  const hint = near.length ? ` (did you mean ${near.join(', ')}?)` : ' (see iconv-lite for the list)';
  throw new UsageError(`unknown encoding '${name}'${hint}`);
}

/** Known names closest to a misspelt one: same prefix or small edit distance, best first. */
export function nearEncodings(name: string, max = 5): string[] {
  const want = canonical(name);
  if (!want) return ['utf8', 'latin1', 'gbk', 'shiftjis', 'utf16le'].slice(0, max);
  const scored: { key: string; score: number }[] = [];
  for (const key of listEncodings()) {
    let score = editDistance(want, key);
    if (key.startsWith(want) || want.startsWith(key))
      score = Math.min(score, 1 + Math.abs(key.length - want.length) / 4);
    if (score <= Math.max(2, Math.floor(want.length / 3))) scored.push({ key, score });
  }
  scored.sort((a, b) => a.score - b.score || a.key.length - b.key.length || a.key.localeCompare(b.key));
  return scored.slice(0, max).map((s) => s.key);
}

export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Which decoder reads each encoding (measured by bench/text-decode.mjs, 50 MB of text per
 * encoding in 64 KiB chunks, on Node 20.20 with full ICU):
 *
 * - UTF-8 and UTF-16: Node's TextDecoder, whose streaming mode is specified to give exactly
 *   what decoding the whole input gives.
 * - Single-byte encodings (windows-125x, ISO-8859-x, KOI8, IBM866...): TextDecoder, about 1.4x
 *   iconv-lite's speed, where it decodes every byte value as iconv-lite does, whole and a byte
 *   at a time. That is checked once per encoding at run time, because Node's decoders are not
 *   all right: Node 20's windows-1252 (and so `latin1`, which WHATWG reads as windows-1252)
 *   decodes 0x80-0x9f as C1 controls, and wrongly when streamed. Those stay with iconv-lite.
 * - GBK, GB18030, Big5, Shift_JIS, EUC-JP, EUC-KR: iconv-lite behind `boundaryDecoder`, though
 *   TextDecoder is 1.3-1.6x faster. Node's legacy CJK decoders are ICU converters, not the
 *   WHATWG ones: Big5 lacks HKSCS (5,003 two-byte characters read otherwise), EUC-KR lacks
 *   the UHC extension (8,824), Shift_JIS maps 0x1a to U+001C (1,520), GBK and GB18030 read 81
 *   and 18 characters otherwise, and GB18030 and EUC-JP throw on some invalid input when
 *   streaming (a garbage-sending peer would break the session). Decoding must also agree with
 *   encoding (iconv-lite) and with the hex dump's text column (iconv-lite).
 * - ISO-2022-JP: not offered; iconv-lite has no codec for it to encode with, and Node 20's
 *   decoder throws on invalid input when streaming.
 */
function webEncoding(enc: string): string | undefined {
  const base = baseEncoding(enc);
  if (base === 'utf8' || base === 'unicode11utf8') return 'utf-8';
  if (base === 'utf16le' || base === 'ucs2') return 'utf-16le';
  if (base === 'utf16be') return 'utf-16be';
  if (checked.has(base)) return checked.get(base);
  const label = singleByteLabel(base);
  const verified = label !== undefined && decodesAsIconv(label, enc) ? label : undefined;
  checked.set(base, verified);
  return verified;
}

/** Single-byte encodings by iconv-lite's name, and whether TextDecoder reads them as it does. */
const checked = new Map<string, string | undefined>();

/** The WHATWG label of a single-byte encoding, by iconv-lite's codec name. */
function singleByteLabel(base: string): string | undefined {
  let m = /^windows(125\d|874)$/.exec(base);
  if (m) return `windows-${m[1]}`;
  // ISO-8859-1 is not among them: WHATWG reads that label as windows-1252.
  m = /^iso8859(2|3|4|5|6|7|8|10|13|14|15|16)$/.exec(base);
  if (m) return `iso-8859-${m[1]}`;
  return { koi8r: 'koi8-r', koi8u: 'koi8-u', cp866: 'ibm866', macintosh: 'macintosh', macroman: 'macintosh' }[
    base
  ];
}

/** Whether TextDecoder gives iconv-lite's text for every byte value, whole and byte by byte. */
function decodesAsIconv(label: string, enc: string): boolean {
  try {
    const all = Uint8Array.from({ length: 256 }, (_, b) => b);
    const want = iconv.decode(Buffer.from(all), enc);
    if (new TextDecoder(label).decode(all) !== want) return false;
    const decoder = new TextDecoder(label);
    let streamed = '';
    for (let b = 0; b < 256; b++) streamed += decoder.decode(all.subarray(b, b + 1), { stream: true });
    return streamed + decoder.decode() === want;
  } catch {
    // A Node without this decoder (small ICU).
    return false;
  }
}

/** Decodes a whole byte string. Invalid sequences become U+FFFD, as every decoder does. */
export function decodeText(bytes: Uint8Array, encoding: string = DEFAULT_ENCODING): string {
  const enc = resolveEncoding(encoding);
  const web = webEncoding(enc);
  if (web) return new TextDecoder(web).decode(bytes);
  return iconv.decode(asBuffer(bytes), enc);
}

/**
 * Encodes text for sending. iconv-lite silently turns a character the encoding lacks into `?`;
 * sending that would lose what the user typed, so it is an error that names the character.
 */
export function encodeText(text: string, encoding: string = DEFAULT_ENCODING): Buffer {
  const enc = resolveEncoding(encoding);
  const out = iconv.encode(text, enc);
  if (isUnicodeEncoding(enc)) return out;
  const question = iconv.encode('?', enc);
  if (question.length !== 1 || countByte(out, question[0]!) === countChar(text, '?')) return out;
  let column = 1;
  for (const ch of text) {
    if (ch !== '?' && iconv.encode(ch, enc).equals(question)) {
      const cp = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
      throw new UsageError(`'${ch}' (U+${cp}) at column ${column} cannot be encoded in ${encoding}`);
    }
    column++;
  }
  return out;
}

function isUnicodeEncoding(enc: string): boolean {
  return /^(utf|ucs|cesu|unicode11)/.test(baseEncoding(enc));
}

function countByte(buf: Uint8Array, b: number): number {
  let n = 0;
  for (let i = 0; i < buf.length; i++) if (buf[i] === b) n++;
  return n;
}

function countChar(text: string, ch: string): number {
  let n = 0;
  for (let i = text.indexOf(ch); i !== -1; i = text.indexOf(ch, i + 1)) n++;
  return n;
}

export interface StreamTextDecoder {
  /** Decodes the next chunk; bytes of a character that is not complete yet are held back. */
  write(bytes: Uint8Array): string;
  /** Flushes what is held back (an incomplete character becomes U+FFFD). */
  end(): string;
}

/**
 * A decoder for a byte stream that arrives in chunks: a GBK, UTF-8, Big5, Shift_JIS or UTF-16
 * character split across two chunks comes out once, whole, with the chunk that completes it,
 * and the concatenated output always equals `decodeText` of the concatenated input.
 */
export function createStreamDecoder(encoding: string = DEFAULT_ENCODING): StreamTextDecoder {
  const enc = resolveEncoding(encoding);
  const web = webEncoding(enc);
  if (web) {
    const decoder = new TextDecoder(web);
    return {
      write: (bytes) => decoder.decode(bytes, { stream: true }),
      end: () => decoder.decode(),
    };
  }
  const base = baseEncoding(enc);
  if (/^(utf32|ucs4|utf16)/.test(base)) return alignedDecoder(enc, base.startsWith('utf16') ? 2 : 4);
  if (/^(utf7|unicode11utf7)/.test(base) || 'decodeBuf' in iconv.getCodec(enc)) {
    // Single-byte tables are stateless; UTF-7 keeps its own (correct) state.
    const decoder = iconv.getDecoder(enc);
    return {
      write: (bytes) => (bytes.length ? decoder.write(asBuffer(bytes)) : ''),
      end: () => decoder.end() ?? '',
    };
  }
  return boundaryDecoder(enc);
}

/**
 * UTF-32 (and UTF-16 without a byte order in its name): iconv-lite's decoder fed whole code
 * units only, the odd bytes held back for the next chunk.
 */
function alignedDecoder(enc: string, unit: number): StreamTextDecoder {
  const decoder = iconv.getDecoder(enc);
  let held = Buffer.alloc(0);
  return {
    write(bytes) {
      const data = held.length ? Buffer.concat([held, bytes]) : asBuffer(bytes);
      const whole = data.length - (data.length % unit);
      held = Buffer.from(data.subarray(whole));
      return whole ? decoder.write(data.subarray(0, whole)) : '';
    },
    end() {
      const rest = held.length ? decoder.write(held) : '';
      held = Buffer.alloc(0);
      return rest + (decoder.end() ?? '');
    },
  };
}

/**
 * The multi-byte encodings (GBK, GB18030, Big5, Shift_JIS, EUC-*). iconv-lite's own stateful
 * decoder loses characters when a chunk completes one begun in the chunk before (its output
 * buffer is sized by the new chunk alone), so every chunk goes to a fresh decoder, behind the
 * bytes the previous one was still holding: the bytes of an unfinished character, which can only
 * be decided once the next chunk arrives. That is the same state the whole-input decoder has at
 * that point, so the output is the same.
 */
function boundaryDecoder(enc: string): StreamTextDecoder {
  let held = Buffer.alloc(0);
  return {
    write(bytes) {
      const data = held.length ? Buffer.concat([held, bytes]) : asBuffer(bytes);
      const decoder = iconv.getDecoder(enc);
      const text = decoder.write(data);
      // iconv-lite's DBCS decoder keeps the bytes it cannot decide yet in `prevBytes`.
      const pending = (decoder as { prevBytes?: unknown }).prevBytes;
      if (Array.isArray(pending) && pending.length <= data.length) {
        held = Buffer.from(data.subarray(data.length - pending.length));
        return text;
      }
      return byTrial(data);
    },
    end() {
      const rest = held.length ? iconv.decode(held, enc) : '';
      held = Buffer.alloc(0);
      return rest;
    },
  };

  /**
   * Should a later iconv-lite not expose `prevBytes`: hold back the fewest trailing bytes that
   * leave a prefix decoding with nothing left over (right for valid text), else hold nothing.
   */
  function byTrial(data: Buffer): string {
    for (let k = 0; k <= Math.min(3, data.length); k++) {
      const probe = iconv.getDecoder(enc);
      const text = probe.write(data.subarray(0, data.length - k));
      if (!probe.end()) {
        held = Buffer.from(data.subarray(data.length - k));
        return text;
      }
    }
    held = Buffer.alloc(0);
    return iconv.decode(data, enc);
  }
}
