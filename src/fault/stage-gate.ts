import type { Direction } from '../plugin/types.js';
import type { FaultEntry } from './fault-entry.js';

/**
 * The `when=` and `count=` of one fault on one connection: which chunks go through the fault, and
 * the chunks that pass it by while it still holds earlier ones. Those wait behind what it holds,
 * so a byte stream keeps its order (a delayed chunk is not overtaken by the unmatched one after it).
 */
export class StageGate {
  /** Chunks the fault acted on so far. */
  private fired = 0;
  /** Chunks passing by, each with the bytes the fault must forward before it (those held when it came). */
  private readonly parked: Record<Direction, { chunk: Uint8Array; owed: number }[]> = { in: [], out: [] };
  /** Bytes waiting behind what the fault holds, per direction (counted as held by the stage). */
  readonly waiting: Record<Direction, number> = { in: 0, out: 0 };
  /** True when the fault does nothing until a chunk matches (`when=`): it is created then. */
  readonly lazy: boolean;
  /** Neither `when=` nor `count=`: every chunk goes through the fault. */
  readonly open: boolean;

  constructor(private readonly entry: FaultEntry) {
    this.lazy = entry.when !== undefined;
    this.open = entry.when === undefined && entry.count === undefined;
  }

  /** Whether this chunk goes through the fault (and counts towards `count=`). */
  admits(chunk: Uint8Array): boolean {
    if (this.open) return true;
    const { when, count } = this.entry;
    if (count !== undefined && this.fired >= count) return false;
    if (when && !when.test(chunk)) return false;
    this.fired++;
    return true;
  }

  /** True when a chunk passing the fault by must wait (earlier bytes are held, or already wait). */
  mustWait(dir: Direction, held: number): boolean {
    return held > 0 || this.parked[dir].length > 0;
  }

  park(dir: Direction, chunk: Uint8Array, held: number): void {
    this.parked[dir].push({ chunk, owed: held });
    this.waiting[dir] += chunk.length;
  }

  /**
   * The fault forwarded `n` bytes: the chunks that waited for bytes held before them and owe
   * nothing now, in order (a chunk the fault took after them waits its own turn behind them).
   */
  forwarded(dir: Direction, n: number): Uint8Array[] {
    const queue = this.parked[dir];
    if (queue.length === 0) return [];
    for (const p of queue) p.owed -= n;
    let k = 0;
    while (k < queue.length && queue[k]!.owed <= 0) k++;
    return this.take(dir, k);
  }

  /** Every chunk that waited, in order: the fault holds nothing more. */
  release(dir: Direction): Uint8Array[] {
    return this.take(dir, this.parked[dir].length);
  }

  private take(dir: Direction, k: number): Uint8Array[] {
    if (k === 0) return [];
    const out = this.parked[dir].splice(0, k).map((p) => p.chunk);
    for (const c of out) this.waiting[dir] -= c.length;
    return out;
  }
}
