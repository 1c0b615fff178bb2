import { encodeText } from '../codec/text.js';
import { execBounded } from './bounded-regex.js';
import { DecodedView } from './decoded-view.js';

/**
 * Bytes received and not consumed yet (pwntools' `Buffer`): the one buffer behind a tube's
 * receives, the REPL's /expect and scripts. Searching never consumes: a caller finds a match,
 * then takes the bytes up to its end, and what follows stays buffered. Because every search runs
 * over all the buffered bytes, how they were chunked never matters: a pattern split across
 * chunks is found, and `^` anchors at the start of the buffer.
 *
 * Searched bytes live in one contiguous region with free space on both sides, so takes from the
 * front and the native Buffer.indexOf are amortised O(bytes); nothing is copied per search.
 * Appended chunks are only referenced until something looks at the bytes: a REPL flooded while
 * nobody expects copies nothing, and a tube copies each chunk once, as it did. (Channels hand
 * over chunks they never reuse; pipe mode's borrowed reads never reach a buffer.)
 *
 * Optionally bounded: past `limit` bytes the oldest are dropped and counted, so a session nobody
 * expects on stays small under a flood. A tube is unbounded and pauses its channel instead.
 */

export interface BufferMatch {
  /** Byte offset where the match starts. */
  start: number;
  /** Byte offset just past the match: what a consuming call takes. */
  end: number;
  /** For a regex: the match over the decoded text (captures and named groups). */
  exec?: RegExpExecArray;
}

export interface ReceiveBufferOptions {
  /** At most this many bytes are kept; older ones are dropped (default: no limit). */
  limit?: number;
}

const MIN_CAPACITY = 4096;
const EMPTY = Buffer.alloc(0);

export class ReceiveBuffer {
  readonly limit: number;
  /** Bytes dropped from the front because the buffer was full. */
  dropped = 0;
  private store = EMPTY;
  private head = 0;
  private tail = 0;
  /** Appended after the store's bytes and not copied into it yet (see settle). */
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private ended = false;
  private view: DecodedView | undefined;
  /** The view no longer matches the bytes; rebuilt on the next regex search. */
  private viewStale = false;
  /** The last regex match, so taking exactly it can drop its text without decoding again. */
  private lastRegex: { end: number; units: number } | undefined;
  private waiters: (() => void)[] | undefined;

  constructor(options: ReceiveBufferOptions = {}) {
    this.limit = options.limit ?? Number.POSITIVE_INFINITY;
  }

  get length(): number {
    return this.tail - this.head + this.pendingBytes;
  }

  /** True once markEnd() was called: no more bytes will be appended. */
  get atEnd(): boolean {
    return this.ended;
  }

  append(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    this.lastRegex = undefined;
    if (this.length > this.limit) this.dropOldest(this.length - this.limit);
    this.notify();
  }

  /** Puts bytes back in front of the buffer, to be received again (pwntools' unget). */
  unget(data: Uint8Array): void {
    if (data.length === 0) return;
    if (this.head >= data.length) {
      this.head -= data.length;
      this.store.set(data, this.head);
    } else {
      const live = this.tail - this.head;
      const next = Buffer.allocUnsafe(Math.max(MIN_CAPACITY, 2 * (live + data.length)));
      next.set(data, 0);
      this.store.copy(next, data.length, this.head, this.tail);
      this.store = next;
      this.head = 0;
      this.tail = data.length + live;
    }
    this.lastRegex = undefined;
    this.viewStale = true;
    this.notify();
  }

  /** No more bytes will come (the peer's EOF): an incomplete trailing character decodes as U+FFFD. */
  markEnd(): void {
    this.ended = true;
    if (this.view && !this.viewStale) {
      this.settle();
      this.view.end();
    }
    this.notify();
  }

  /** Resolves on the next append, unget or markEnd: for a waiter that re-checks its condition. */
  changed(): Promise<void> {
    return new Promise((resolve) => {
      this.waiters ??= [];
      this.waiters.push(resolve);
    });
  }

  /** The buffered bytes as a view into the store: valid only until the buffer next changes. */
  peek(): Buffer {
    this.settle();
    return this.store.subarray(this.head, this.tail);
  }

  /** Removes and returns (as a copy) the first n bytes, or all of them when fewer are buffered. */
  take(n: number): Buffer {
    const k = Math.max(0, Math.min(n, this.length));
    if (k > this.tail - this.head) this.settle();
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
    if (k > this.tail - this.head) this.settle();
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

  /** Drops everything, without copying what was appended and never looked at. */
  clear(): void {
    if (this.pending.length > 0) this.pending = [];
    this.pendingBytes = 0;
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
      m = execBounded(re, view.text);
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
    // A view that follows the bytes gets the appended chunks' text; a stale one is rebuilt.
    this.settle();
    if (this.viewStale) {
      this.view.reset(this.peek(), this.ended);
      this.viewStale = false;
    }
    return this.view;
  }

  /** Copies the appended chunks into the store, and their text into a view that follows it. */
  private settle(): void {
    if (this.pendingBytes === 0) return;
    this.reserve(this.pendingBytes);
    const at = this.tail;
    const chunks = this.pending;
    for (let i = 0; i < chunks.length; i++) {
      const c = chunks[i]!;
      this.store.set(c, this.tail);
      this.tail += c.length;
    }
    // pop, not a new array: a tube settles one chunk per data event, and this allocates nothing.
    if (chunks.length === 1) chunks.pop();
    else this.pending = [];
    this.pendingBytes = 0;
    if (this.view && !this.viewStale) {
      this.view.append(this.store.subarray(at, this.tail));
      if (this.ended) this.view.end();
    }
  }

  /** Over the limit: drops the oldest bytes, those in the store first, then appended chunks. */
  private dropOldest(over: number): void {
    this.dropped += over;
    const stored = this.tail - this.head;
    if (stored > 0) {
      const k = Math.min(over, stored);
      this.discard(k);
      over -= k;
    }
    // Emptied by a flood: nobody is searching, so the region need not stay allocated.
    if (this.head === this.tail) this.store = EMPTY;
    while (over > 0) {
      const first = this.pending[0]!;
      if (first.length <= over) {
        this.pending.shift();
        this.pendingBytes -= first.length;
        over -= first.length;
      } else {
        this.pending[0] = first.subarray(over);
        this.pendingBytes -= over;
        over = 0;
      }
    }
  }

  private notify(): void {
    const ws = this.waiters;
    if (!ws || ws.length === 0) return;
    this.waiters = undefined;
    for (const w of ws) w();
  }

  /** Makes room for `extra` bytes at the tail: reuses the consumed front when that is cheap. */
  private reserve(extra: number): void {
    if (this.tail + extra <= this.store.length) return;
    const live = this.tail - this.head;
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
