import iconv from 'iconv-lite';
import { baseEncoding, createStreamDecoder, resolveEncoding, type StreamTextDecoder } from '../codec/text.js';

/**
 * The text of a receive buffer in one encoding, kept up to date as bytes arrive (each byte is
 * decoded once), so a regex can be run over it; and the way back from a position in that text to
 * a byte offset, so a match consumes exactly the bytes it covers.
 *
 * A character whose bytes have not all arrived is held back by the decoder: a regex never sees
 * half a character, and sees it whole once the rest arrives.
 */

/** Encodings where one byte is always one UTF-16 code unit. */
const ONE_BYTE_PER_UNIT = new Set(['iso88591', 'latin1', 'binary', 'ascii']);

export class DecodedView {
  readonly encoding: string;
  private readonly kind: 'bytes' | 'utf8' | 'other';
  /** One byte is one code unit: byte offsets and text positions are the same numbers. */
  readonly bytewise: boolean;
  private decoder: StreamTextDecoder;
  private ended = false;
  text = '';

  constructor(encoding: string) {
    this.encoding = encoding;
    const base = baseEncoding(encoding);
    this.kind = ONE_BYTE_PER_UNIT.has(base) ? 'bytes' : base === 'utf8' ? 'utf8' : 'other';
    this.bytewise = this.kind === 'bytes';
    this.decoder = chunkSafeDecoder(encoding);
  }

  /** Starts over from the given bytes (after the buffer changed other than at its ends). */
  reset(bytes: Buffer, ended: boolean): void {
    this.decoder = chunkSafeDecoder(this.encoding);
    this.ended = false;
    this.text = this.kind === 'bytes' ? bytes.toString('latin1') : this.decoder.write(bytes);
    if (ended) this.end();
  }

  /**
   * Decodes the next chunk. False means the text may be wrong and the caller must reset() the
   * view: iconv-lite 0.7's multi-byte decoders size their output by the chunk alone, so a chunk of
   * one or two bytes that completes a character outside the BMP (GB18030's four-byte sequences,
   * Big5-HKSCS) loses the second half of its surrogate pair. That is rare enough to re-decode.
   */
  append(chunk: Buffer): boolean {
    if (this.kind === 'bytes') {
      this.text += chunk.toString('latin1');
      return true;
    }
    const out = this.decoder.write(chunk);
    this.text += out;
    return !(
      this.kind === 'other' &&
      chunk.length < 4 &&
      out.length >= chunk.length &&
      /[\uD800-\uDFFF]/.test(out)
    );
  }

  /** No more bytes will come: a character left incomplete is shown as U+FFFD. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.kind !== 'bytes') this.text += this.decoder.end();
  }

  /**
   * The byte offset, in `bytes` (the buffer this view decodes), where the first `units` UTF-16
   * code units of the text end. Rounds up to a whole character.
   */
  byteOffset(bytes: Buffer, units: number): number {
    if (units <= 0) return 0;
    if (this.kind === 'bytes') return Math.min(units, bytes.length);
    const prefix = this.text.slice(0, units);
    // Without replacement characters, UTF-8 re-encodes to exactly the bytes it came from.
    if (this.kind === 'utf8' && !prefix.includes('\uFFFD'))
      return Math.min(Buffer.byteLength(prefix, 'utf8'), bytes.length);
    return this.searchOffset(bytes, units);
  }

  /**
   * Binary search for the shortest prefix that decodes to at least `units` code units. Every
   * encoding iconv-lite knows takes at least one byte per code unit and, but for the escape
   * sequences of stateful encodings, at most four, which bounds the search to [units, 4 * units]
   * bytes: the cost follows the match, not the buffer.
   */
  private searchOffset(bytes: Buffer, units: number): number {
    const decodedLength = (n: number) =>
      createStreamDecoder(this.encoding).write(bytes.subarray(0, n)).length;
    let lo = Math.min(units, bytes.length);
    let hi = Math.min(units * 4, bytes.length);
    if (decodedLength(hi) < units) {
      lo = hi;
      hi = bytes.length;
      if (decodedLength(hi) < units) return bytes.length;
    }
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (decodedLength(mid) >= units) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Moves a text position off the middle of a surrogate pair, forwards or backwards. */
  wholeCharacter(units: number, direction: 'forward' | 'backward'): number {
    const c = this.text.charCodeAt(units - 1);
    const inPair = c >= 0xd800 && c <= 0xdbff && units < this.text.length;
    if (!inPair) return units;
    return direction === 'forward' ? units + 1 : units - 1;
  }

  /** Drops the first `units` code units, which decode from the first `byteCount` bytes. */
  dropFront(units: number): void {
    this.text = this.text.slice(units);
  }
}

interface DbcsDecoder {
  write(buf: Buffer): string;
  end(): string | undefined;
  prevBytes?: number[];
}

/**
 * A stream decoder that survives any chunking. iconv-lite 0.7's multi-byte (DBCS) decoder sizes
 * its output by the chunk alone, so a chunk whose first byte completes a character held back from
 * the previous chunk can overflow it and silently lose text (a GB18030 four-byte emoji followed
 * by ASCII loses characters). Feeding each chunk to a fresh decoder, after the bytes the last one
 * held back, means every write starts on a character boundary and never overflows.
 */
function chunkSafeDecoder(encoding: string): StreamTextDecoder {
  const enc = resolveEncoding(encoding);
  const probe = iconv.getDecoder(enc) as unknown as DbcsDecoder;
  if (!Array.isArray(probe.prevBytes)) return createStreamDecoder(enc);
  let carry: number[] = [];
  const feed = (bytes: Uint8Array): { out: string; decoder: DbcsDecoder } => {
    const decoder = iconv.getDecoder(enc) as unknown as DbcsDecoder;
    const input = carry.length
      ? Buffer.concat([Buffer.from(carry), bytes])
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out = decoder.write(input);
    carry = decoder.prevBytes ?? [];
    return { out, decoder };
  };
  return {
    write: (bytes) => (bytes.length ? feed(bytes).out : ''),
    end: () => {
      if (!carry.length) return '';
      const { out, decoder } = feed(new Uint8Array(0));
      carry = [];
      return out + (decoder.end() ?? '');
    },
  };
}
