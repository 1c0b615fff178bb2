const EMPTY = Buffer.alloc(0);
/** Chunks smaller than this are copied into the tail buffer rather than kept one by one. */
const SMALL_CHUNK = 1024;
const TAIL_SIZE = 16 * 1024;

/**
 * The pending bytes of a framer: chunks kept as received, never concatenated until a frame is
 * taken, so a frame that arrives in a million one-byte reads costs linear time, not quadratic.
 * A frame that lies inside one chunk is returned as a view of it, without a copy.
 *
 * Positions are absolute stream offsets internally, so finding the chunk that holds an offset
 * is a binary search and a search can resume where the last one stopped.
 */
export class ByteQueue {
  #chunks: Buffer[] = [];
  /** Absolute stream offset of each chunk's first byte. */
  #starts: number[] = [];
  /** Index of the first chunk still (partly) queued. */
  #head = 0;
  /** Absolute offsets of the first queued byte and of the end. */
  #base = 0;
  #end = 0;
  /** The buffer small chunks are copied into, how much of it is used, and the chunk viewing it. */
  #tail: Buffer | undefined;
  #tailUsed = 0;
  #tailStart = 0;
  #tailIndex = -1;

  get length(): number {
    return this.#end - this.#base;
  }

  /**
   * Queues a chunk. A chunk of 1 KiB or more is kept by reference (the caller must not change it
   * afterwards); smaller ones are copied into a shared tail buffer, so a stream of one-byte reads
   * costs one buffer per 16 KiB, not one object per byte.
   */
  push(chunk: Uint8Array): void {
    const n = chunk.length;
    if (n === 0) return;
    if (n < SMALL_CHUNK) {
      this.#pushSmall(chunk);
      return;
    }
    // Sockets hand out Buffers already; wrapping one again costs more than the rest of a push.
    this.#chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, n));
    this.#starts.push(this.#end);
    this.#end += n;
  }

  #pushSmall(chunk: Uint8Array): void {
    const n = chunk.length;
    let tail = this.#tail;
    if (tail === undefined || this.#tailUsed + n > tail.length) {
      // Bytes already handed out as views stay valid: a full tail is left to them, never reused.
      tail = this.#tail = Buffer.allocUnsafe(TAIL_SIZE);
      this.#tailUsed = 0;
      this.#tailIndex = -1;
    }
    tail.set(chunk, this.#tailUsed);
    this.#tailUsed += n;
    if (this.#tailIndex >= 0 && this.#tailIndex === this.#chunks.length - 1) {
      // Grow the last chunk's view over the tail instead of adding a chunk.
      this.#chunks[this.#tailIndex] = tail.subarray(this.#tailStart, this.#tailUsed);
    } else {
      this.#tailStart = this.#tailUsed - n;
      this.#tailIndex = this.#chunks.length;
      this.#chunks.push(tail.subarray(this.#tailStart, this.#tailUsed));
      this.#starts.push(this.#end);
    }
    this.#end += n;
  }

  /** The byte at `index` (0 = first queued byte). */
  byteAt(index: number): number {
    if (index < 0 || index >= this.length)
      throw new RangeError(`byteAt(${index}) outside 0..${this.length - 1}`);
    const abs = this.#base + index;
    const i = this.#locate(abs);
    return this.#chunks[i]![abs - this.#starts[i]!]!;
  }

  /**
   * The first index >= `from` where `pattern` starts, or -1. Patterns that straddle chunks are
   * found too. Costs the bytes scanned plus a binary search, so resuming from where the previous
   * search gave up (length - pattern.length + 1) keeps a delimiter framer linear.
   */
  indexOf(pattern: Uint8Array, from = 0): number {
    const m = pattern.length;
    const start = this.#base + Math.max(0, from);
    if (m === 0) return start <= this.#end ? start - this.#base : -1;
    if (start + m > this.#end) return -1;
    // A single byte is searched as a number: Buffer's fast path for one byte (memchr).
    const needle = m === 1 ? pattern[0]! : pattern;
    for (let i = this.#locate(start); i < this.#chunks.length; i++) {
      const chunk = this.#chunks[i]!;
      const chunkStart = this.#starts[i]!;
      const local = Math.max(0, start - chunkStart);
      const found = chunk.indexOf(needle, local);
      if (found >= 0) return chunkStart + found - this.#base;
      // Matches that begin in this chunk's last m-1 bytes and end in later chunks.
      for (let p = Math.max(local, chunk.length - m + 1); p < chunk.length; p++) {
        if (chunkStart + p + m > this.#end) return -1;
        if (this.#matchesAt(i, p, pattern)) return chunkStart + p - this.#base;
      }
    }
    return -1;
  }

  /** Bytes `start..end` without removing them: a view when they lie in one chunk, else a copy. */
  peek(start: number, end: number): Uint8Array {
    if (start < 0 || end > this.length || start > end)
      throw new RangeError(`peek(${start}, ${end}) outside 0..${this.length}`);
    if (start === end) return EMPTY;
    const absStart = this.#base + start;
    const absEnd = this.#base + end;
    let i = this.#locate(absStart);
    const first = this.#chunks[i]!;
    const firstStart = this.#starts[i]!;
    if (absEnd - firstStart <= first.length)
      return first.subarray(absStart - firstStart, absEnd - firstStart);
    const out = Buffer.allocUnsafe(end - start);
    let written = 0;
    for (let pos = absStart; pos < absEnd; i++) {
      const chunk = this.#chunks[i]!;
      const from = pos - this.#starts[i]!;
      const to = Math.min(chunk.length, from + (absEnd - pos));
      out.set(chunk.subarray(from, to), written);
      written += to - from;
      pos += to - from;
    }
    return out;
  }

  /** Removes and returns the first `n` bytes. */
  take(n: number): Uint8Array {
    const bytes = this.peek(0, n);
    this.skip(n);
    return bytes;
  }

  /** Removes the first `n` bytes. */
  skip(n: number): void {
    if (n < 0 || n > this.length) throw new RangeError(`skip(${n}) outside 0..${this.length}`);
    this.#base += n;
    if (this.#base === this.#end) {
      this.clear();
      return;
    }
    while (this.#starts[this.#head]! + this.#chunks[this.#head]!.length <= this.#base) this.#head++;
    // Drop consumed chunk references now and then, so memory follows what is queued.
    if (this.#head >= 64 && this.#head * 2 >= this.#chunks.length) {
      this.#chunks.splice(0, this.#head);
      this.#starts.splice(0, this.#head);
      if (this.#tailIndex >= 0) this.#tailIndex -= this.#head;
      this.#head = 0;
    }
  }

  /** Removes and returns everything queued. */
  takeAll(): Uint8Array {
    return this.take(this.length);
  }

  clear(): void {
    // The tail buffer is kept: what it already holds may be in frames handed out, and new bytes go after it.
    this.#tailIndex = -1;
    this.#chunks = [];
    this.#starts = [];
    this.#head = 0;
    this.#base = 0;
    this.#end = 0;
  }

  /** Index of the chunk holding absolute offset `abs` (which must be queued). */
  #locate(abs: number): number {
    // Most lookups fall in the first chunk: skip the search.
    const head = this.#head;
    if (abs < this.#starts[head]! + this.#chunks[head]!.length) return head;
    let lo = head;
    let hi = this.#chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.#starts[mid]! <= abs) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  #matchesAt(chunkIndex: number, offset: number, pattern: Uint8Array): boolean {
    let i = chunkIndex;
    let chunk = this.#chunks[i]!;
    let pos = offset;
    for (let k = 0; k < pattern.length; k++) {
      while (pos >= chunk.length) {
        chunk = this.#chunks[++i]!;
        pos = 0;
      }
      if (chunk[pos] !== pattern[k]) return false;
      pos++;
    }
    return true;
  }
}
