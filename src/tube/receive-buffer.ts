import { encodeText } from '../codec/text.js';
import { DecodedView } from './decoded-view.js';

/**
 * Bytes received and not consumed yet (pwntools' `Buffer`). Searching never consumes: a caller
 * finds a match, then takes the bytes up to its end, and what follows stays buffered. Because
 * every search runs over all the buffered bytes, how they were chunked never matters: a pattern
 * split across chunks is found, and `^` anchors at the start of the buffer.
 *
 * Storage is one contiguous region with free space on both sides, so appends, takes from the
 * front and the native Buffer.indexOf are all amortised O(bytes); nothing is copied per search.
 */

export interface BufferMatch {
  /** Byte offset where the match starts. */
  start: number;
  /** Byte offset just past the match: what a consuming call takes. */
  end: number;
  /** For a regex: the match over the decoded text (captures and named groups). */
  exec?: RegExpExecArray;
}

const MIN_CAPACITY = 4096;

export class ReceiveBuffer {
  private store = Buffer.allocUnsafe(0);
  private head = 0;
  private tail = 0;
  private ended = false;
  private view: DecodedView | undefined;
  /** The view no longer matches the bytes; rebuilt on the next regex search. */
  private viewStale = false;
  /** The last regex match, so taking exactly it can drop its text without decoding again. */
  private lastRegex: { end: number; units: number } | undefined;

  get length(): number {
    return this.tail - this.head;
  }

  /** True once markEnd() was called: no more bytes will be appended. */
  get atEnd(): boolean {
    return this.ended;
  }

  append(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.reserve(chunk.length);
    this.store.set(chunk, this.tail);
    const at = this.tail;
    this.tail += chunk.length;
    this.lastRegex = undefined;
    // The view of what was added is made only when a decoded view follows the bytes.
    if (this.view && !this.viewStale) this.view.append(this.store.subarray(at, this.tail));
  }

  /** Puts bytes back in front of the buffer, to be received again (pwntools' unget). */
  unget(data: Uint8Array): void {
    if (data.length === 0) return;
    if (this.head >= data.length) {
      this.head -= data.length;
      this.store.set(data, this.head);
    } else {
      const live = this.length;
      const next = Buffer.allocUnsafe(Math.max(MIN_CAPACITY, 2 * (live + data.length)));
      next.set(data, 0);
      this.store.copy(next, data.length, this.head, this.tail);
      this.store = next;
      this.head = 0;
      this.tail = data.length + live;
    }
    this.invalidate();
  }

  /** No more bytes will come (the peer's EOF): an incomplete trailing character decodes as U+FFFD. */
  markEnd(): void {
    this.ended = true;
    if (this.view && !this.viewStale) this.view.end();
  }

  /** The buffered bytes as a view into the store: valid only until the buffer next changes. */
  peek(): Buffer {
    return this.store.subarray(this.head, this.tail);
  }

  /** Removes and returns (as a copy) the first n bytes, or all of them when fewer are buffered. */
  take(n: number): Buffer {
    const k = Math.max(0, Math.min(n, this.length));
    const out = Buffer.allocUnsafe(k);
    this.store.copy(out, 0, this.head, this.head + k);
    this.discard(k);
    return out;
  }

  takeAll(): Buffer {
    return this.take(this.length);
  }

  /** Drops the first n bytes. */
  discard(n: number): void {
    const k = Math.max(0, Math.min(n, this.length));
    if (k === 0) return;
    const last = this.lastRegex;
    this.head += k;
    if (this.head === this.tail) {
      this.head = 0;
      this.tail = 0;
    }
    this.lastRegex = undefined;
    if (!this.view || this.viewStale) return;
    if (last && last.end === k) this.view.dropFront(last.units);
    else if (this.view.bytewise) this.view.dropFront(k);
    else this.viewStale = true;
  }

  clear(): void {
    this.discard(this.length);
  }

  /** Offset of the first occurrence of `needle` at or after `from`, or -1. */
  indexOf(needle: Uint8Array, from = 0): number {
    if (needle.length === 0) return Math.min(from, this.length);
    return this.peek().indexOf(needle, from);
  }

  findBytes(needle: Uint8Array, from = 0): BufferMatch | undefined {
    const start = this.indexOf(needle, from);
    return start < 0 ? undefined : { start, end: start + needle.length };
  }

  /** Finds text as the bytes it encodes to in `encoding`. */
  findText(text: string, encoding: string, from = 0): BufferMatch | undefined {
    return this.findBytes(encodeText(text, encoding), from);
  }

  /**
   * Runs a regex over the buffered bytes decoded in `encoding` (`latin1` for byte-exact matching:
   * one character per byte). Flags `g` and `y` are honoured only as far as matching starts at the
   * beginning of the buffer (`y` anchors there). The regex's lastIndex is left as it was.
   */
  findRegex(re: RegExp, encoding: string): BufferMatch | undefined {
    const view = this.textView(encoding);
    const saved = re.lastIndex;
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    try {
      m = re.exec(view.text);
    } finally {
      re.lastIndex = saved;
    }
    if (!m) return undefined;
    const bytes = this.peek();
    // A regex without the u flag can match half of a surrogate pair; bytes come in whole characters.
    const endUnits = view.wholeCharacter(m.index + m[0].length, 'forward');
    const start = view.byteOffset(bytes, view.wholeCharacter(m.index, 'backward'));
    const end = Math.max(start, view.byteOffset(bytes, endUnits));
    this.lastRegex = { end, units: endUnits };
    return { start, end, exec: m };
  }

  /** The buffered bytes as text in `encoding` (characters not yet complete held back). */
  text(encoding: string): string {
    return this.textView(encoding).text;
  }

  private textView(encoding: string): DecodedView {
    if (!this.view || this.view.encoding !== encoding) {
      this.view = new DecodedView(encoding);
      this.viewStale = true;
    }
    if (this.viewStale) {
      this.view.reset(this.peek(), this.ended);
      this.viewStale = false;
    }
    return this.view;
  }

  private invalidate(): void {
    this.lastRegex = undefined;
    this.viewStale = true;
  }

  /** Makes room for `extra` bytes at the tail: reuses the consumed front when that is cheap. */
  private reserve(extra: number): void {
    if (this.tail + extra <= this.store.length) return;
    const live = this.length;
    // Sliding the live bytes down costs `live`; do it only when at least that much was consumed,
    // so each byte is moved O(1) times on average.
    if (live + extra <= this.store.length && this.head >= live) {
      this.store.copy(this.store, 0, this.head, this.tail);
    } else {
      const next = Buffer.allocUnsafe(Math.max(MIN_CAPACITY, 2 * (live + extra)));
      this.store.copy(next, 0, this.head, this.tail);
      this.store = next;
    }
    this.head = 0;
    this.tail = live;
  }
}
