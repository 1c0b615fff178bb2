import { UsageError } from '../errors.js';
import type { Channel, Protocol } from '../net/channel.js';
import type { Listener } from '../net/listener.js';
import { isExpectedPluginError, pluginFailure, transformProblem } from '../plugin/guard.js';
import type { PluginRegistry } from '../plugin/registry.js';
import type { FaultContext, Framer } from '../plugin/types.js';
import { type FaultClock, realClock } from './clock.js';
import { FAULT_ROWS, type FaultEntry, makeEntry } from './fault-entry.js';
import type { FaultAction } from './fault-observer.js';
import { type FaultHooks, FaultyChannel } from './faulty-channel.js';
import { FaultyListener } from './faulty-listener.js';
import { randomSeed, seededRandom } from './random.js';

export type FaultLogLevel = 'info' | 'warn' | 'error';

export interface FaultControllerOptions {
  /** The transport's protocol: faults are checked against it when added (duplicate is UDP-only). */
  proto: Protocol;
  /** `--seed`; a random one is picked (and can be shown) when absent. */
  seed?: number;
  clock?: FaultClock;
  /** Where faults speak: -v lines in pipe mode, notices in a session. */
  log(text: string, level: FaultLogLevel, conn?: number): void;
  /** The list of active faults changed (the status line shows it). */
  onChange?(): void;
  /** A fault acted on a connection (the `--json` `fault` event, a traffic line, a -v line). */
  onAction?(event: FaultActionEvent): void;
  /**
   * A fresh framer when the session frames its traffic (undefined when it does not): `when=` and
   * `count=` then decide on whole messages. Asked when a fault first sees a connection's bytes.
   */
  messageFramer?(): Framer | undefined;
}

/** One act of one fault on one connection. */
export interface FaultActionEvent extends FaultAction {
  conn: number;
  /** The fault's number (`#2`) and name (`delay`). */
  id: number;
  fault: string;
}

/** `/fault stats`: how often each fault acted, per kind of act, since it was switched on. */
export interface FaultStats {
  id: number;
  spec: string;
  active: boolean;
  total: number;
  kinds: Record<string, number>;
}

/**
 * The faults of a session or a pipe-mode run: the list of active faults (`--fault`, `/fault`),
 * and every connection they apply to. Adding a fault switches it on for every open connection
 * and for those to come; removing it switches it off everywhere, each connection first passing
 * on what the fault holds. A fault whose code throws is switched off everywhere with one
 * message (and a third-party plugin that owns it is disabled); the connections go on.
 */
export class FaultController {
  readonly seed: number;
  readonly seedGiven: boolean;
  private entries: FaultEntry[] = [];
  private readonly channels = new Set<FaultyChannel>();
  private readonly order = new WeakMap<Channel, number>();
  private nextId = 1;
  private opened = 0;
  private readonly hooks: FaultHooks;
  private readonly counts = new Map<number, FaultStats>();

  constructor(
    private readonly registry: PluginRegistry,
    private readonly options: FaultControllerOptions,
  ) {
    this.seedGiven = options.seed !== undefined;
    this.seed = options.seed ?? randomSeed();
    this.hooks = {
      clock: options.clock ?? realClock,
      // Each connection and fault draws from its own stream: connection n, fault #m.
      random: (entry, channel) => seededRandom(this.seed, this.order.get(channel) ?? 0, entry.id),
      log: (channel, text, level) => options.log(text, level, channel.id),
      failed: (entry, err, where, lost) => this.failed(entry, err, where, lost),
      report: (channel, entry, action) => this.acted(channel, entry, action),
      messageFramer: options.messageFramer,
    };
  }

  /** The faults switched on, in the order given. */
  get active(): readonly FaultEntry[] {
    return this.entries;
  }

  /** `fault seed 1234 (--seed 1234 repeats this run)`. */
  seedLine(): string {
    return this.seedGiven
      ? `fault seed ${this.seed}`
      : `fault seed ${this.seed} (--seed ${this.seed} repeats this run)`;
  }

  /**
   * Parses a spec and switches the fault on everywhere. Every mistake (unknown fault, bad option,
   * a fault that does not fit the protocol) is a UsageError before anything changes.
   */
  add(spec: string, what = '/fault'): FaultEntry {
    const parsed = this.registry.parseFault(spec, what, FAULT_ROWS);
    const entry = makeEntry(this.nextId, parsed, what);
    this.check(entry, what);
    this.nextId++;
    this.entries.push(entry);
    for (const channel of this.channels) channel.addFault(entry);
    this.options.onChange?.();
    return entry;
  }

  /** Switches off the faults `which` names: `2` or `#2` (its number), or a name (`delay`). */
  remove(which: string): FaultEntry[] {
    const w = which.trim().replace(/^#/, '');
    const gone = /^\d+$/.test(w)
      ? this.entries.filter((e) => e.id === Number(w))
      : this.entries.filter((e) => e.fault.name === w || `${e.fault.plugin}/${e.fault.name}` === w);
    if (gone.length === 0) {
      const list = this.entries.map((e) => `#${e.id} ${e.spec}`).join(', ');
      throw new UsageError(
        `fault: no active fault '${which}'${list ? ` (active: ${list})` : ' (none is active)'}`,
      );
    }
    for (const e of gone) this.switchOff(e);
    this.options.onChange?.();
    return gone;
  }

  /** Switches every fault off. */
  clear(): FaultEntry[] {
    const gone = [...this.entries];
    for (const e of gone) this.switchOff(e);
    if (gone.length > 0) this.options.onChange?.();
    return gone;
  }

  /** Counts of what each fault did, the active ones and those switched off since. */
  stats(): FaultStats[] {
    const active = new Set(this.entries.map((e) => e.id));
    const rows = new Map(this.counts);
    for (const e of this.entries)
      if (!rows.has(e.id)) rows.set(e.id, { id: e.id, spec: e.spec, active: true, total: 0, kinds: {} });
    return [...rows.values()]
      .sort((a, b) => a.id - b.id)
      .map((s) => ({ ...s, kinds: { ...s.kinds }, active: active.has(s.id) }));
  }

  private acted(channel: Channel, entry: FaultEntry, action: FaultAction): void {
    let s = this.counts.get(entry.id);
    if (!s) {
      s = { id: entry.id, spec: entry.spec, active: true, total: 0, kinds: {} };
      this.counts.set(entry.id, s);
    }
    s.total++;
    s.kinds[action.kind] = (s.kinds[action.kind] ?? 0) + 1;
    this.options.onAction?.({ conn: channel.id, id: entry.id, fault: entry.fault.name, ...action });
  }

  /** The active faults as the status line shows them. */
  summary(): string {
    return this.entries.map((e) => e.spec).join(' ');
  }

  /** Wraps a connection: the active faults apply to it now, and those added later too. */
  wrap(channel: Channel): FaultyChannel {
    this.order.set(channel, ++this.opened);
    const faulty = new FaultyChannel(channel, this.hooks);
    this.order.set(faulty, this.opened);
    this.channels.add(faulty);
    faulty.once('close', () => this.channels.delete(faulty));
    for (const entry of this.entries) faulty.addFault(entry);
    return faulty;
  }

  /** A listener whose every client is wrapped. */
  wrapListener(listener: Listener): Listener {
    return new FaultyListener(listener, (channel) => this.wrap(channel));
  }

  private switchOff(entry: FaultEntry): void {
    this.entries = this.entries.filter((e) => e !== entry);
    for (const channel of this.channels) channel.removeFault(entry.id);
  }

  /**
   * Makes the transform once with a context that does nothing, so options that do not fit
   * together, or a fault that does not fit the protocol, fail now with the spec named.
   */
  private check(entry: FaultEntry, what: string): void {
    const idle = () => {};
    const ctx: FaultContext = {
      proto: this.options.proto,
      now: () => 0,
      random: () => 0.5,
      setTimer: () => idle,
      forward: idle,
      reset: idle,
      shutdown: idle,
      pauseReading: idle,
      resumeReading: idle,
      log: idle,
    };
    let made: unknown;
    try {
      made = entry.fault.definition.create(entry.options, ctx);
    } catch (err) {
      if (isExpectedPluginError(err))
        throw new UsageError(`${what} '${entry.spec}': ${(err as Error).message}`);
      throw pluginFailure(entry.fault.plugin, `fault '${entry.fault.name}' create()`, err);
    }
    // null, a number, a promise: one line now, not a fault silently skipped on every connection.
    const problem = transformProblem(made);
    if (problem) throw pluginFailure(entry.fault.plugin, `fault '${entry.fault.name}' create()`, problem);
  }

  private failed(entry: FaultEntry, err: unknown, where: string, lost = 0): void {
    if (!this.entries.includes(entry)) return;
    const { plugin, name } = entry.fault;
    const why = isExpectedPluginError(err)
      ? `plugin '${plugin}': fault '${name}' ${where}: ${(err as Error).message}`
      : pluginFailure(plugin, `fault '${name}' ${where}`, err).message;
    this.switchOff(entry);
    this.options.onChange?.();
    const loaded = this.registry.plugins.find((l) => l.plugin.name === plugin);
    // A third-party plugin that failed is taken out of every lookup; built-in faults stay usable.
    if (loaded && !loaded.builtin) this.registry.disable(plugin, why);
    const gone = lost > 0 ? ` (${lost} byte${lost === 1 ? '' : 's'} it held could not be passed on)` : '';
    this.options.log(
      `${why}; fault #${entry.id} ${entry.spec} is off${gone}, the connections go on`,
      'error',
    );
  }
}
