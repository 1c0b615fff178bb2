import { BUILTIN_PLUGINS } from '../../../plugins/index.js';
import type { FaultClock } from '../../../src/fault/clock.js';
import { FAULT_ROWS, type FaultEntry, makeEntry } from '../../../src/fault/fault-entry.js';
import { FaultPipeline } from '../../../src/fault/fault-pipeline.js';
import type { PipelineHost } from '../../../src/fault/pipeline-host.js';
import { seededRandom } from '../../../src/fault/random.js';
import type { Direction, Protocol } from '../../../src/net/channel.js';
import { PluginRegistry } from '../../../src/plugin/registry.js';
import type { Plugin } from '../../../src/plugin/types.js';

/** A clock the test moves by hand: timers run in time order as it advances, none on their own. */
export class FakeClock implements FaultClock {
  private t = 0;
  private seq = 0;
  private timers: { at: number; seq: number; fn: () => void; live: boolean }[] = [];

  now(): number {
    return this.t;
  }

  setTimer(ms: number, fn: () => void): () => void {
    const timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, live: true };
    this.timers.push(timer);
    return () => {
      timer.live = false;
    };
  }

  /** Moves time forward, running each timer due on the way at its own time. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (let guard = 0; guard < 1_000_000; guard++) {
      this.timers = this.timers.filter((t) => t.live);
      let next: (typeof this.timers)[number] | undefined;
      for (const t of this.timers)
        if (t.at <= end && (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t;
      if (!next) break;
      this.t = next.at;
      next.live = false;
      next.fn();
    }
    this.t = end;
  }

  get pending(): number {
    return this.timers.filter((t) => t.live).length;
  }
}

export interface Delivery {
  dir: Direction;
  bytes: Buffer;
  t: number;
}

/** A pipeline of the given fault specs over a recording host: what comes out, when, and what it did. */
export function rig(
  specs: string[],
  options: { proto?: Protocol; seed?: number; plugins?: Plugin[]; frame?: string } = {},
) {
  const registry = new PluginRegistry({ builtins: [...BUILTIN_PLUGINS, ...(options.plugins ?? [])] });
  const clock = new FakeClock();
  const delivered: Delivery[] = [];
  const events: string[] = [];
  const logs: string[] = [];
  const failures: string[] = [];
  /** What the faults reported doing: `#1 out delayed 200 ms`. */
  const actions: string[] = [];
  const holds = new Set<string>();
  const host: PipelineHost = {
    proto: options.proto ?? 'tcp',
    clock,
    deliver: (dir, chunk) => delivered.push({ dir, bytes: Buffer.from(chunk), t: clock.now() }),
    reset: () => events.push('reset'),
    shutdown: (how) => events.push(`shutdown ${how}`),
    hold: (reason, on) => (on ? holds.add(reason) : holds.delete(reason)),
    log: (entry, message) => logs.push(`${entry.fault.name}: ${message}`),
    failed: (entry, err, where) => failures.push(`#${entry.id} ${where}: ${(err as Error).message}`),
    report: (entry, a) => actions.push(`#${entry.id}${a.dir ? ` ${a.dir}` : ''} ${a.action}`),
    settled: () => {},
  };
  const frame = options.frame;
  if (frame !== undefined) host.messageFramer = () => registry.createFramer(frame, '--frame');
  const seed = options.seed ?? 1;
  const pipeline = new FaultPipeline(host, (entry) => seededRandom(seed, 1, entry.id));
  const entries: FaultEntry[] = specs.map((s, i) =>
    makeEntry(i + 1, registry.parseFault(s, '--fault', FAULT_ROWS), '--fault'),
  );
  for (const e of entries) pipeline.add(e);
  const push = (dir: Direction, data: string | Uint8Array) =>
    pipeline.push(dir, typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  const chunks = (dir: Direction) => delivered.filter((d) => d.dir === dir);
  const text = (dir: Direction) => Buffer.concat(chunks(dir).map((d) => d.bytes)).toString('latin1');
  return {
    pipeline,
    clock,
    delivered,
    events,
    logs,
    failures,
    actions,
    holds,
    entries,
    push,
    chunks,
    text,
    registry,
  };
}
