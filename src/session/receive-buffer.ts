/**
 * Bytes received and not yet consumed by /expect, per connection (pwntools' tube buffer): a
 * match consumes input only up to its end; what follows stays. Bounded: a REPL that nobody
 * expects on must not grow without end under a flood, so the oldest bytes are dropped and
 * counted.
 */
export class ReceiveBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  dropped = 0;
  private waiters = new Set<() => void>();

  constructor(readonly limit = 1024 * 1024) {}

  get length(): number {
    return this.size;
  }

  append(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.limit && this.chunks.length > 0) {
      const over = this.size - this.limit;
      const first = this.chunks[0]!;
      if (first.length <= over) {
        this.chunks.shift();
        this.size -= first.length;
        this.dropped += first.length;
      } else {
        this.chunks[0] = first.subarray(over);
        this.size -= over;
        this.dropped += over;
      }
    }
    this.wake();
  }

  /** Everything buffered, as one buffer (joined once, then kept joined). */
  peek(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.size)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  /** Removes and returns the first n bytes. */
  take(n: number): Buffer {
    const all = this.peek();
    const k = Math.min(n, all.length);
    const out = Buffer.from(all.subarray(0, k));
    const rest = all.subarray(k);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.size = rest.length;
    return out;
  }

  /** Puts bytes back in front (pwntools' unget). */
  unget(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.chunks.unshift(bytes);
    this.size += bytes.length;
    this.wake();
  }

  clear(): void {
    // A new array: truncating one by its length costs a call into the runtime.
    if (this.size > 0) this.chunks = [];
    this.size = 0;
  }

  /** Resolves on the next append (or wake()); used by waiters that re-check a condition. */
  changed(): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.add(resolve);
    });
  }

  /** Wakes waiters without new data, e.g. when the peer's EOF arrives. */
  wake(): void {
    if (this.waiters.size === 0) return;
    const ws = [...this.waiters];
    this.waiters.clear();
    for (const w of ws) w();
  }
}
