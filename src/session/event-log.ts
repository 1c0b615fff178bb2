/**
 * A bounded ring buffer of session events. Under a flood the oldest entries go first; how many
 * were dropped is counted so every view can say so. Bounded both in entries and in payload
 * bytes, because one entry may carry a 64 KiB chunk and another a one-line notice.
 */

export interface LogLimits {
  maxEntries: number;
  maxBytes: number;
}

export const DEFAULT_LOG_LIMITS: LogLimits = { maxEntries: 20_000, maxBytes: 16 * 1024 * 1024 };

export interface Logged<T> {
  /** Position in the whole session, counting dropped entries: stable across drops. */
  seq: number;
  item: T;
  size: number;
}

export class EventLog<T> {
  private slots: (Logged<T> | undefined)[];
  private head = 0; // index of the oldest entry
  private count = 0;
  private bytes = 0;
  private nextSeq = 1;
  /** Entries pushed out by newer ones (or removed by clear()) since the session began. */
  dropped = 0;
  droppedBytes = 0;

  constructor(
    readonly limits: LogLimits = DEFAULT_LOG_LIMITS,
    private readonly sizeOf: (item: T) => number = () => 0,
  ) {
    if (limits.maxEntries < 1) throw new RangeError('maxEntries must be at least 1');
    this.slots = new Array(limits.maxEntries);
  }

  get length(): number {
    return this.count;
  }

  get retainedBytes(): number {
    return this.bytes;
  }

  /** The seq the next push will get; every seq below it has been pushed. */
  get endSeq(): number {
    return this.nextSeq;
  }

  /** Seq of the oldest retained entry (equal to endSeq when empty). */
  get firstSeq(): number {
    return this.nextSeq - this.count;
  }

  push(item: T): Logged<T> {
    const size = this.sizeOf(item);
    const entry: Logged<T> = { seq: this.nextSeq++, item, size };
    if (this.count === this.limits.maxEntries) this.dropOldest();
    this.slots[(this.head + this.count) % this.limits.maxEntries] = entry;
    this.count++;
    this.bytes += size;
    // Keep the newest entry even when it alone exceeds the byte budget.
    while (this.bytes > this.limits.maxBytes && this.count > 1) this.dropOldest();
    return entry;
  }

  /** The entry with this seq, if still retained. */
  get(seq: number): Logged<T> | undefined {
    const i = seq - this.firstSeq;
    if (i < 0 || i >= this.count) return undefined;
    return this.slots[(this.head + i) % this.limits.maxEntries];
  }

  /** The i-th retained entry, 0 = oldest; negative counts from the newest (-1 = newest). */
  at(i: number): Logged<T> | undefined {
    const k = i < 0 ? this.count + i : i;
    if (k < 0 || k >= this.count) return undefined;
    return this.slots[(this.head + k) % this.limits.maxEntries];
  }

  *entries(fromSeq = this.firstSeq): IterableIterator<Logged<T>> {
    for (let seq = Math.max(fromSeq, this.firstSeq); seq < this.nextSeq; seq++) {
      const e = this.get(seq);
      if (e) yield e;
    }
  }

  /** Newest first, for views that fill the screen from the bottom. */
  *reversed(beforeSeq = this.nextSeq): IterableIterator<Logged<T>> {
    for (let seq = Math.min(beforeSeq, this.nextSeq) - 1; seq >= this.firstSeq; seq--) {
      const e = this.get(seq);
      if (e) yield e;
    }
  }

  /** Forgets every entry (/clear); they do not count as dropped, and seqs keep increasing. */
  clear(): void {
    this.slots = new Array(this.limits.maxEntries);
    this.head = 0;
    this.count = 0;
    this.bytes = 0;
  }

  private dropOldest(): void {
    const old = this.slots[this.head];
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) % this.limits.maxEntries;
    this.count--;
    if (old) {
      this.bytes -= old.size;
      this.dropped++;
      this.droppedBytes += old.size;
    }
  }
}
