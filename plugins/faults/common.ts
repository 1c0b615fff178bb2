import { UsageError } from '../../src/errors.js';
import type { CustomRow, FaultContext } from '../../src/plugin/types.js';

type Direction = 'in' | 'out';

/** When a one-shot fault fires: after so many bytes in its directions, or so long after it starts. */
export type After = { bytes: number; ms?: undefined } | { ms: number; bytes?: undefined };

const SIZE_SCALE: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
const TIME_SCALE: Record<string, number> = { ms: 1, s: 1000, min: 60_000, h: 3_600_000 };

/**
 * `1k`, `1024`, `2s`, `500ms`; a bare `1m` is refused as ambiguous. After the colon the option
 * name may be written too, as the documentation spells it: `reset:after=1k` is `reset:1k`.
 */
export function parseAfter(text: string): After {
  const t = text
    .trim()
    .toLowerCase()
    .replace(/^after\s*=\s*/, '');
  const time = /^(\d+(?:\.\d+)?)\s*(ms|s|min|h)$/.exec(t);
  if (time) return { ms: Math.round(Number(time[1]) * TIME_SCALE[time[2]!]!) };
  if (/^\d+(?:\.\d+)?\s*m$/.test(t))
    throw new UsageError(`after: '${text}' could be minutes or MiB; write ${t}in or ${t}b`);
  const size = /^(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?$/.exec(t);
  if (size) return { bytes: Math.round(Number(size[1]) * SIZE_SCALE[size[2]!]!) };
  throw new UsageError(`after: '${text}' is neither a byte count (1024, 1k, 2mb) nor a duration (500ms, 2s)`);
}

export const afterRow = {
  key: 'after',
  kind: 'custom',
  hint: '<bytes|duration>',
  summary: 'after this many bytes in its directions (1k), or this long after it starts (2s); default at once',
  parse: parseAfter,
} as const satisfies CustomRow;

/**
 * Counts the bytes of an `after=<bytes>` threshold across chunks. Each call returns the part of the
 * chunk before the threshold, and `rest` (possibly empty) once the threshold is reached in it.
 */
function byteCountdown(limit: number): (chunk: Uint8Array) => { before: Uint8Array; rest?: Uint8Array } {
  let passed = 0;
  return (chunk) => {
    const room = limit - passed;
    if (chunk.length < room) {
      passed += chunk.length;
      return { before: chunk };
    }
    passed = limit;
    return { before: chunk.subarray(0, room), rest: chunk.subarray(room) };
  };
}

/**
 * The trigger of a one-shot fault (`reset`, `halfclose`): it fires as the fault starts, `after.ms`
 * later, or once `after.bytes` have passed in its directions, and only once.
 */
export function afterTrigger(after: After | undefined, ctx: FaultContext, fire: (why: string) => void) {
  const why = describeAfter(after);
  const countdown = after?.bytes === undefined ? undefined : byteCountdown(after.bytes);
  let fired = false;
  const trigger = () => {
    if (fired) return;
    fired = true;
    fire(why);
  };
  return {
    get fired(): boolean {
      return fired;
    },
    /** For `onOpen`: fires now, or sets the timer. */
    start(): void {
      if (after === undefined) trigger();
      else if (after.ms !== undefined) ctx.setTimer(after.ms, trigger);
    },
    /**
     * Forwards the part of a chunk before the byte threshold; once the threshold is reached in it,
     * fires and returns the rest (possibly empty) for the fault to deal with.
     */
    pass(dir: Direction, chunk: Uint8Array): Uint8Array | undefined {
      if (!countdown) {
        ctx.forward(dir, chunk);
        return undefined;
      }
      const { before, rest } = countdown(chunk);
      if (before.length > 0 || !rest) ctx.forward(dir, before);
      if (rest) trigger();
      return rest;
    },
  };
}

function describeAfter(after: After | undefined): string {
  if (after === undefined) return 'as it starts';
  if (after.bytes !== undefined) return `after ${after.bytes} byte${after.bytes === 1 ? '' : 's'}`;
  return `after ${formatMs(after.ms)}`;
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${Number((ms / 1000).toFixed(3))}s`;
}

/**
 * Chunks waiting for their release time, released in time order by one timer. Adding a chunk
 * due before those waiting puts it first (UDP jitter lets datagrams overtake); a stream that must
 * keep its order adds non-decreasing times.
 */
export class ReleaseQueue {
  private items: { due: number; chunk: Uint8Array }[] = [];
  private cancel: (() => void) | undefined;
  private armedFor = Number.POSITIVE_INFINITY;

  constructor(
    private readonly ctx: FaultContext,
    private readonly dir: Direction,
  ) {}

  get size(): number {
    return this.items.length;
  }

  add(chunk: Uint8Array, due: number): void {
    let at = this.items.length;
    while (at > 0 && this.items[at - 1]!.due > due) at--;
    this.items.splice(at, 0, { due, chunk });
    if (due < this.armedFor) this.arm();
  }

  /** Passes on everything waiting, in order, now. */
  flush(): void {
    this.disarm();
    const items = this.items;
    this.items = [];
    for (const item of items) this.ctx.forward(this.dir, item.chunk);
  }

  private arm(): void {
    this.disarm();
    const head = this.items[0];
    if (!head) return;
    this.armedFor = head.due;
    this.cancel = this.ctx.setTimer(Math.max(0, head.due - this.ctx.now()), () => {
      this.cancel = undefined;
      this.armedFor = Number.POSITIVE_INFINITY;
      this.release();
    });
  }

  private disarm(): void {
    this.cancel?.();
    this.cancel = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
  }

  private release(): void {
    // Timers may fire a fraction of a millisecond before the clock says so: allow for it.
    const now = this.ctx.now() + 0.5;
    let n = 0;
    while (n < this.items.length && this.items[n]!.due <= now) n++;
    const due = this.items.splice(0, n);
    for (const item of due) this.ctx.forward(this.dir, item.chunk);
    this.arm();
  }
}

/** Both directions' state, made on demand. */
export function perDirection<T>(make: (dir: Direction) => T): Record<Direction, T> {
  return { in: make('in'), out: make('out') };
}

/** Calls `fn` the first time only: a remark worth making once per connection. */
export function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
