import { describeValue, isThenable } from '../plugin/describe-value.js';
import { PluginContractError } from '../plugin/errors.js';
import { rejected, transformProblem } from '../plugin/guard.js';
import type { Direction, FaultContext, FaultTransform } from '../plugin/types.js';
import type { FaultEntry } from './fault-entry.js';
import { FaultObserver } from './fault-observer.js';
import { type MessageSplitter, splitterFor } from './message-split.js';
import type { PipelineHost } from './pipeline-host.js';
import type { RandomSource } from './random.js';
import { StageGate } from './stage-gate.js';

const OK = Symbol('ok');

/** The pipeline a stage belongs to, as the stage sees it (the pipeline implements it). */
export interface StageOwner {
  readonly host: PipelineHost;
  /** Hands what a stage forwarded to the next stage acting on that direction, or to the host. */
  passOn(from: FaultStage, dir: Direction, chunk: Uint8Array): void;
  /** The stage's code threw: it is taken out of the connection. */
  stageFailed(stage: FaultStage, err: unknown, where: string): void;
}

/**
 * One fault on one connection: its transform, the context it acts through, its timers, and an
 * estimate of the bytes it holds (for backpressure and for knowing when a FIN may follow).
 * A transform that throws, whose hook returns a promise that rejects, whose create() returns
 * something other than a transform, or that forwards something other than bytes, is reported
 * to the pipeline, which takes it out; the chunk it was handling goes on unchanged when it had
 * forwarded nothing of it, so a plugin bug loses no data. Hooks may be async (a promise that
 * resolves is fine; bytes it forwards later count as held until then).
 */
export class FaultStage {
  state: 'waiting' | 'live' | 'stopped' = 'waiting';
  /** Bytes taken in and not yet passed on, per direction; zero once no timer is pending. */
  readonly held: Record<Direction, number> = { in: 0, out: 0 };
  private transform: FaultTransform | undefined;
  private readonly timers = new Set<() => void>();
  private readonly schedule = new Set<() => void>();
  private forwards = 0;
  /** Set once the transform threw: its onClose still gets a chance to pass on what it holds. */
  private broken = false;
  /** Promises returned by hooks and not yet settled: like timers, bytes may still come out. */
  private pending = 0;
  /** Depth of hook calls under way, and a bad ctx.forward() made during one (reported after it). */
  private depth = 0;
  private breach: PluginContractError | undefined;
  /** Bytes the stage held when it stopped, as far as can be told; set by stop(). */
  lost = 0;
  readonly ctx: FaultContext;
  /** Tells the host what the fault did to each chunk (the `fault` events). */
  private readonly observer: FaultObserver;
  /** `when=` / `count=`: which chunks go through the fault. */
  private readonly gate: StageGate;
  /** With `when=`, live but not yet created: the first matching chunk creates the transform. */
  private dormant = false;
  /** With framing on and `when=`/`count=`: each direction cut into whole messages (made on first use). */
  private readonly splitters: Partial<Record<Direction, MessageSplitter | null>> = {};
  /** The direction whose messages data() hands on one by one now (stop() must not flush it then). */
  private splitting: Direction | undefined;

  constructor(
    private readonly pipeline: StageOwner,
    readonly entry: FaultEntry,
    random: RandomSource,
  ) {
    const host = pipeline.host;
    const hold = `fault #${entry.id}`;
    this.gate = new StageGate(entry);
    this.observer = new FaultObserver(
      () => host.clock.now(),
      (action) => host.report(entry, action),
    );
    this.ctx = {
      proto: host.proto,
      now: () => host.clock.now(),
      random,
      setTimer: (ms, fn) => this.setTimer(ms, fn),
      forward: (dir, chunk) => this.forward(dir, chunk),
      reset: () => {
        host.report(entry, { kind: 'reset', action: 'reset' });
        host.reset(entry);
      },
      shutdown: (how) => {
        const action = how === 'write' ? 'sent FIN' : 'stopped reading';
        host.report(entry, { kind: how === 'write' ? 'fin' : 'shut-read', action });
        host.shutdown(how, entry);
      },
      pauseReading: () => {
        host.report(entry, { kind: 'stalled', action: 'stopped reading' });
        host.hold(hold, true);
      },
      resumeReading: () => host.hold(hold, false),
      log: (message) => host.log(entry, String(message)),
    };
  }

  /** True when chunks travelling in `dir` go through this fault now. */
  acts(dir: Direction): boolean {
    return this.state === 'live' && this.entry.dirs.includes(dir);
  }

  /** A pipeline timer (the from/until schedule), cancelled when the stage stops. */
  later(ms: number, fn: () => void): void {
    let cancel = () => {};
    const done = () => {
      this.schedule.delete(cancel);
      fn();
    };
    cancel = this.pipeline.host.clock.setTimer(ms, done);
    this.schedule.add(cancel);
  }

  /**
   * Bytes this stage holds in `dir`: those its fault holds, those waiting behind them, and a
   * message not yet complete.
   */
  holding(dir: Direction): number {
    return this.held[dir] + this.gate.waiting[dir] + (this.splitters[dir]?.held ?? 0);
  }

  start(): void {
    if (this.state !== 'waiting') return;
    if (this.gate.lazy) {
      this.state = 'live';
      this.dormant = true;
      return;
    }
    this.create();
  }

  /** Makes the transform and opens it; false when that failed (the stage is then taken out). */
  private create(): boolean {
    const { definition } = this.entry.fault;
    let made: unknown;
    let created = this.call(() => {
      made = definition.create(this.entry.options, this.ctx);
    }, 'create()');
    if (created === OK) created = transformProblem(made) ?? OK;
    if (created !== OK) {
      this.fail(created, 'create()');
      return false;
    }
    this.transform = made as FaultTransform;
    this.state = 'live';
    const onOpen = this.transform.onOpen;
    if (onOpen) {
      const err = this.call(() => onOpen.call(this.transform, this.ctx), 'onOpen()');
      if (err !== OK) {
        this.fail(err, 'onOpen()');
        return false;
      }
    }
    this.settle();
    return this.state === 'live';
  }

  /** A chunk in `dir`: with framing on, `when=`/`count=` decide on each whole message in it. */
  data(dir: Direction, chunk: Uint8Array): void {
    const split = this.splitter(dir);
    if (!split) {
      this.message(dir, chunk);
      return;
    }
    this.splitting = dir;
    try {
      for (const m of split.push(chunk)) {
        if (this.state === 'stopped') this.pipeline.passOn(this, dir, m);
        else this.message(dir, m);
      }
    } finally {
      this.splitting = undefined;
    }
    // Stopped on one of these messages: what is left goes on after the rest of them.
    if (this.state === 'stopped') for (const rest of split.flush()) this.pipeline.passOn(this, dir, rest);
    else if (split.held > 0) this.pipeline.host.settled();
  }

  /**
   * The stream in `dir` ended (the peer's FIN, or ours): a message left incomplete is decided
   * on as it is, so the FIN can follow it.
   */
  endOf(dir: Direction): void {
    const split = this.splitters[dir];
    if (!split) return;
    for (const m of split.flush()) {
      if (this.state === 'stopped') this.pipeline.passOn(this, dir, m);
      else this.message(dir, m);
    }
  }

  /** The message splitter of `dir`, when this fault matches messages (framing on, when=/count=). */
  private splitter(dir: Direction): MessageSplitter | undefined {
    if (this.splitters[dir] === undefined)
      this.splitters[dir] = this.gate.open
        ? null
        : (splitterFor(this.pipeline.host, this.entry, dir) ?? null);
    return this.splitters[dir] ?? undefined;
  }

  /** One chunk, or one whole message with framing on: through the fault or past it. */
  private message(dir: Direction, chunk: Uint8Array): void {
    if (!this.gate.admits(chunk)) {
      if (this.gate.mustWait(dir, this.held[dir])) this.gate.park(dir, chunk, this.held[dir]);
      else this.pipeline.passOn(this, dir, chunk);
      return;
    }
    if (this.dormant) {
      this.dormant = false;
      // A fault that fails to start is taken out; the chunk that woke it goes on unchanged.
      if (!this.create()) {
        this.pipeline.passOn(this, dir, chunk);
        return;
      }
    }
    const onData = this.transform?.onData;
    if (!onData) {
      this.pipeline.passOn(this, dir, chunk);
      return;
    }
    this.held[dir] += chunk.length;
    const before = this.forwards;
    this.observer.begin(dir, chunk);
    // An async onData that rejects before forwarding anything: the chunk goes on unchanged.
    const onRejected = () => {
      this.held[dir] = Math.max(0, this.held[dir] - chunk.length);
      if (this.forwards === before && this.state !== 'stopped') this.pipeline.passOn(this, dir, chunk);
    };
    const err = this.call(() => onData.call(this.transform, dir, chunk, this.ctx), 'onData()', onRejected);
    if (err === OK) this.observer.end(this.timers.size > 0 || this.pending > 0);
    else this.observer.cancel();
    if (err !== OK) {
      this.held[dir] = Math.max(0, this.held[dir] - chunk.length);
      if (this.forwards === before) this.pipeline.passOn(this, dir, chunk);
      this.fail(err, 'onData()');
      return;
    }
    this.settle();
  }

  /**
   * Ends the fault on this connection: `onClose` passes on what it holds (in order, before any
   * later chunk bypasses it), then its timers are cancelled and a reading pause it left is lifted.
   */
  stop(): void {
    if (this.state === 'stopped') return;
    const wasLive = this.state === 'live';
    const onClose = this.transform?.onClose;
    let err: unknown = OK;
    if (wasLive && onClose) err = this.call(() => onClose.call(this.transform, this.ctx), 'onClose()');
    // Chunks that waited behind what the fault held go on after it, in order, then a message
    // not yet complete.
    for (const dir of ['in', 'out'] as const) {
      for (const chunk of this.gate.release(dir)) this.pipeline.passOn(this, dir, chunk);
      if (this.splitting !== dir)
        for (const rest of this.splitters[dir]?.flush() ?? []) this.pipeline.passOn(this, dir, rest);
    }
    this.state = 'stopped';
    for (const cancel of [...this.timers, ...this.schedule]) cancel();
    this.timers.clear();
    this.schedule.clear();
    // What a stage still held once onClose had its chance is gone (timers cancelled): say so.
    this.lost = this.held.in + this.held.out;
    this.held.in = this.held.out = 0;
    this.pipeline.host.hold(`fault #${this.entry.id}`, false);
    if (err !== OK && !this.broken) this.pipeline.host.failed(this.entry, err, 'onClose()', this.lost);
    this.pipeline.host.settled();
  }

  private forward(dir: Direction, chunk: Uint8Array): void {
    if ((dir !== 'in' && dir !== 'out') || !(chunk instanceof Uint8Array)) {
      const shown = typeof dir === 'string' ? `'${dir}'` : describeValue(dir);
      const breach = new PluginContractError(
        `called ctx.forward(${shown}, ${describeValue(chunk)}); it takes 'in' or 'out' and bytes (a Uint8Array: Buffer.from(text))`,
      );
      // Inside a hook: reported when the hook returns (even if it catches this). From a plugin's
      // own callback (a promise continuation), at once.
      if (this.depth > 0) this.breach ??= breach;
      else this.fail(breach, 'ctx.forward()');
      throw breach;
    }
    this.forwards++;
    this.observer.forwarded(dir, chunk);
    this.held[dir] = Math.max(0, this.held[dir] - chunk.length);
    this.pipeline.passOn(this, dir, chunk);
    const free = this.held[dir] === 0 ? this.gate.release(dir) : this.gate.forwarded(dir, chunk.length);
    for (const c of free) this.pipeline.passOn(this, dir, c);
  }

  /** The fault holds nothing more in `dir`: chunks that waited behind it go on. */
  private releaseWaiting(dir: Direction): void {
    for (const chunk of this.gate.release(dir)) this.pipeline.passOn(this, dir, chunk);
  }

  private setTimer(ms: number, fn: () => void): () => void {
    if (this.state === 'stopped') return () => {};
    let pending = true;
    let clear = () => {};
    const cancel = () => {
      if (!pending) return;
      pending = false;
      this.timers.delete(cancel);
      clear();
    };
    clear = this.pipeline.host.clock.setTimer(ms, () => {
      if (!pending) return;
      pending = false;
      this.timers.delete(cancel);
      const err = this.call(fn, 'a timer');
      if (err !== OK) {
        this.fail(err, 'a timer');
        return;
      }
      this.settle();
    });
    this.timers.add(cancel);
    return cancel;
  }

  /**
   * With no timer or promise pending nothing can come out later: whatever was not forwarded
   * was dropped.
   */
  private settle(): void {
    if (this.timers.size === 0 && this.pending === 0) this.held.in = this.held.out = 0;
    if (this.held.in === 0) this.releaseWaiting('in');
    if (this.held.out === 0) this.releaseWaiting('out');
    this.pipeline.host.settled();
  }

  /**
   * Runs a hook: OK, or what it threw (a bad ctx.forward() during it counts even if caught).
   * A promise it returns is watched: a rejection takes the stage out as a throw would, after
   * `onRejected` (which passes on the chunk the hook was given when nothing of it went on).
   */
  private call(fn: () => unknown, where: string, onRejected?: () => void): unknown {
    let result: unknown;
    this.depth++;
    try {
      result = fn();
    } catch (err) {
      return this.takeBreach() ?? err;
    } finally {
      this.depth--;
    }
    const breach = this.takeBreach();
    if (breach) return breach;
    if (isThenable(result)) this.watch(result, where, onRejected);
    return OK;
  }

  private watch(promise: PromiseLike<unknown>, where: string, onRejected?: () => void): void {
    this.pending++;
    promise.then(
      () => {
        this.pending--;
        if (this.state !== 'stopped') this.settle();
      },
      (err: unknown) => {
        this.pending--;
        onRejected?.();
        this.fail(this.takeBreach() ?? rejected(err), where);
      },
    );
  }

  private takeBreach(): PluginContractError | undefined {
    const breach = this.breach;
    this.breach = undefined;
    return breach;
  }

  private fail(err: unknown, where: string): void {
    // One report per stage: a rejection after a throw (or a second bad forward) adds nothing.
    if (this.broken) return;
    this.broken = true;
    this.pipeline.stageFailed(this, err, where);
  }
}
