import type { Direction } from '../plugin/types.js';

/** What a fault did to the bytes: `delayed 200 ms`, `dropped 5 bytes`, `cut into 3 writes`, `reset`. */
export interface FaultAction {
  /** The direction it acted on; absent for what concerns the whole connection (a reset). */
  dir?: Direction;
  /** One word for counting: delayed, dropped, cut, duplicated, corrupted, changed, reset, fin, stalled. */
  kind: string;
  /** The words a person reads. */
  action: string;
}

interface Arrival {
  at: number;
  len: number;
  left: number;
  forwards: number;
  firstOut?: number;
  changed: boolean;
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/**
 * Tells what a fault did by watching one stage from outside, so every fault (a plugin's too) is
 * reported without saying anything itself. Each chunk given to `onData` is followed until its
 * last byte has been forwarded: in several writes it was cut; its first byte leaving later than
 * it came, delayed; forwarded with other bytes in its place, corrupted. Bytes never forwarded
 * (`onData` returned holding nothing) were dropped; bytes forwarded beyond those given, added
 * (duplicated when as many as the chunk had).
 */
export class FaultObserver {
  private readonly arrivals: Record<Direction, Arrival[]> = { in: [], out: [] };
  private hook: { dir: Direction; chunk: Uint8Array; arrival: Arrival; extra: number } | undefined;

  constructor(
    private readonly now: () => number,
    private readonly report: (action: FaultAction) => void,
  ) {}

  /** `onData` is about to see `chunk`. */
  begin(dir: Direction, chunk: Uint8Array): void {
    const arrival: Arrival = {
      at: this.now(),
      len: chunk.length,
      left: chunk.length,
      forwards: 0,
      changed: false,
    };
    if (chunk.length > 0) this.arrivals[dir].push(arrival);
    this.hook = { dir, chunk, arrival, extra: 0 };
  }

  /** The stage forwarded `chunk` (inside onData or later, from a timer). */
  forwarded(dir: Direction, chunk: Uint8Array): void {
    const hook = this.hook?.dir === dir ? this.hook : undefined;
    if (hook && chunk !== hook.chunk && chunk.length === hook.chunk.length && !sameBytes(chunk, hook.chunk))
      hook.arrival.changed = true;
    const queue = this.arrivals[dir];
    const now = this.now();
    let rest = chunk.length;
    while (rest > 0 && queue.length > 0) {
      const head = queue[0]!;
      const take = Math.min(head.left, rest);
      head.left -= take;
      rest -= take;
      head.forwards++;
      head.firstOut ??= now;
      if (head.left === 0) {
        queue.shift();
        this.finished(dir, head);
      }
    }
    if (rest > 0 && hook) hook.extra += rest;
  }

  /** `onData` returned; `holding`: the stage may still forward bytes later (a timer, a promise). */
  end(holding: boolean): void {
    const hook = this.hook;
    this.hook = undefined;
    if (!hook) return;
    const { dir, arrival, extra, chunk } = hook;
    if (extra > 0) {
      const dup = extra === chunk.length;
      this.report({
        dir,
        kind: dup ? 'duplicated' : 'added',
        action: dup ? `duplicated ${plural(extra, 'byte')}` : `added ${plural(extra, 'byte')}`,
      });
    }
    if (holding || arrival.left === 0) return;
    // What is left of this chunk will never come out.
    const queue = this.arrivals[dir];
    const at = queue.indexOf(arrival);
    if (at >= 0) queue.splice(at, 1);
    this.report({ dir, kind: 'dropped', action: `dropped ${plural(arrival.left, 'byte')}` });
  }

  /** `onData` threw: the chunk goes on unchanged, which is no act of the fault. */
  cancel(): void {
    const hook = this.hook;
    this.hook = undefined;
    if (!hook) return;
    const queue = this.arrivals[hook.dir];
    const at = queue.indexOf(hook.arrival);
    if (at >= 0) queue.splice(at, 1);
  }

  private finished(dir: Direction, a: Arrival): void {
    const waited = Math.round((a.firstOut ?? a.at) - a.at);
    const parts: [string, string][] = [];
    if (a.forwards > 1) parts.push(['cut', `cut into ${a.forwards} writes`]);
    if (waited >= 1) parts.push(['delayed', `delayed ${waited} ms`]);
    if (a.changed) parts.push(['corrupted', `corrupted ${plural(a.len, 'byte')}`]);
    if (parts.length === 0) return;
    this.report({ dir, kind: parts[0]![0], action: parts.map((p) => p[1]).join(', ') });
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}
