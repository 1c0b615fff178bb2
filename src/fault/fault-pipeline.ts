import type { Direction } from '../plugin/types.js';
import type { FaultEntry } from './fault-entry.js';
import { FaultStage, type StageOwner } from './fault-stage.js';
import type { PipelineHost } from './pipeline-host.js';
import type { RandomSource } from './random.js';

/**
 * The faults on one connection, in the order they were given. A chunk enters at the first fault
 * acting on its direction and is passed on by each (`ctx.forward`) to the next one, then to the
 * host. Faults are switched on and off at any time; one switched off first passes on what it
 * holds, so bytes keep their order.
 */
export class FaultPipeline implements StageOwner {
  readonly stages: FaultStage[] = [];

  constructor(
    readonly host: PipelineHost,
    private readonly random: (entry: FaultEntry) => RandomSource,
  ) {}

  /** Switches a fault on, at once or after its `from=`; `until=` switches it off again. */
  add(entry: FaultEntry): void {
    if (this.stages.some((s) => s.entry.id === entry.id)) return;
    const stage = new FaultStage(this, entry, this.random(entry));
    this.stages.push(stage);
    const start = () => {
      stage.start();
      if (entry.untilMs !== undefined && stage.state === 'live')
        stage.later(entry.untilMs - entry.fromMs, () => this.remove(entry.id));
    };
    if (entry.fromMs > 0) stage.later(entry.fromMs, start);
    else start();
  }

  /** Switches a fault off on this connection, passing on what it holds. */
  remove(id: number): void {
    const stage = this.stages.find((s) => s.entry.id === id);
    if (!stage) return;
    stage.stop();
    const at = this.stages.indexOf(stage);
    if (at >= 0) this.stages.splice(at, 1);
  }

  /** Every fault passes on what it holds, in order; used when the connection closes. */
  stopAll(): void {
    while (this.stages.length > 0) this.remove(this.stages[0]!.entry.id);
  }

  /**
   * The stream in `dir` ended: each fault, first to last, decides on a message it cut short (what
   * the first passes on reaches the next before that one is told).
   */
  endOf(dir: Direction): void {
    for (const s of [...this.stages]) if (s.acts(dir)) s.endOf(dir);
  }

  /** A chunk entering the pipeline in `dir`. */
  push(dir: Direction, chunk: Uint8Array): void {
    const first = this.nextAfter(-1, dir);
    if (first) first.data(dir, chunk);
    else this.host.deliver(dir, chunk);
  }

  /** A chunk a fault forwards goes to the next fault acting on that direction, or out. */
  passOn(from: FaultStage, dir: Direction, chunk: Uint8Array): void {
    const at = this.stages.indexOf(from);
    // A fault already taken out that still forwards (from a callback of its own) goes straight out.
    const next = at < 0 ? undefined : this.nextAfter(at, dir);
    if (next) next.data(dir, chunk);
    else this.host.deliver(dir, chunk);
  }

  /** True when some fault acts on `dir` now. */
  live(dir: Direction): boolean {
    return this.stages.some((s) => s.acts(dir));
  }

  /** Bytes the faults hold in `dir`, as far as can be told. */
  held(dir: Direction): number {
    let n = 0;
    for (const s of this.stages) n += s.holding(dir);
    return n;
  }

  stageFailed(stage: FaultStage, err: unknown, where: string): void {
    this.remove(stage.entry.id);
    this.host.failed(stage.entry, err, where, stage.lost);
  }

  private nextAfter(index: number, dir: Direction): FaultStage | undefined {
    for (let i = index + 1; i < this.stages.length; i++) {
      const s = this.stages[i]!;
      if (s.acts(dir)) return s;
    }
    return undefined;
  }
}
