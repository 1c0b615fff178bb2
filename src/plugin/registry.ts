import { didYouMean } from '../codec/near-match.js';
import { UsageError } from '../errors.js';
import { describeValue, isThenable } from './describe-value.js';
import { PluginContractError } from './errors.js';
import { isExpectedPluginError, pluginFailure } from './guard.js';
import { framerProblem, guardFramer } from './guard-framer.js';
import { type LoadOptions, loadPlugin } from './load-plugin.js';
import { parseOptions, type SpecParts, splitSpec } from './spec.js';
import type {
  CommandDefinition,
  DecoderRow,
  FaultDefinition,
  Framer,
  FramerDefinition,
  OptionRow,
  ParsedOptions,
  Plugin,
} from './types.js';
import { validatePlugin } from './validate.js';

export interface LoadedPlugin {
  readonly plugin: Plugin;
  /** `built-in`, or the path or package it was loaded from. */
  readonly source: string;
  readonly builtin: boolean;
  /** Why the session disabled it, once it has. */
  disabled?: string;
}

/** A definition found by name, with the plugin that owns it. */
export interface Resolved<D> {
  plugin: string;
  name: string;
  definition: D;
}

/** A parsed `--fault` spec; the fault pipeline creates the transform with its own context. */
export interface ParsedFault extends Resolved<FaultDefinition> {
  spec: string;
  options: ParsedOptions;
}

type Group = 'framers' | 'faults' | 'commands';
const NOUN: Record<Group, string> = { framers: 'framer', faults: 'fault', commands: 'command' };

/**
 * The loaded plugins and every lookup into them. A bare name (`lines`) is found in whichever
 * plugin defines it; when two do, the user qualifies it with the plugin's name (`framing/lines`).
 * Lookups skip plugins the session has disabled.
 */
export class PluginRegistry {
  readonly #loaded: LoadedPlugin[] = [];

  /** `builtins`: the plugins that ship with sockrepl (`BUILTIN_PLUGINS` from `plugins/index.ts`). */
  constructor(options: { builtins?: readonly Plugin[] } = {}) {
    for (const plugin of options.builtins ?? [])
      this.#add(validatePlugin(plugin, 'built-in'), 'built-in', true);
  }

  get plugins(): readonly LoadedPlugin[] {
    return this.#loaded;
  }

  /** Registers a plugin object (validated); `source` names it in messages. */
  add(plugin: unknown, source = 'inline'): Plugin {
    return this.#add(validatePlugin(plugin, source), source, false);
  }

  /** Loads a plugin module from a path or package (`--plugin`) and registers it. */
  async load(pathOrPackage: string, options: LoadOptions = {}): Promise<Plugin> {
    return this.add(await loadPlugin(pathOrPackage, options), pathOrPackage);
  }

  /** Takes a plugin out of every lookup after it failed at run time; the session goes on. */
  disable(name: string, reason: string): void {
    const entry = this.#loaded.find((l) => l.plugin.name === name);
    if (entry) entry.disabled = reason;
  }

  findFramer(name: string): Resolved<FramerDefinition> {
    return this.#find('framers', name, `unknown framer`) as Resolved<FramerDefinition>;
  }

  findFault(name: string): Resolved<FaultDefinition> {
    return this.#find('faults', name, `unknown fault`) as Resolved<FaultDefinition>;
  }

  /** The command a REPL or script line names, or undefined (built-in commands come first, elsewhere). */
  findCommand(name: string): Resolved<CommandDefinition> | undefined {
    const found = this.#candidates('commands', name);
    return found.length === 1 ? (found[0] as Resolved<CommandDefinition>) : undefined;
  }

  /**
   * Makes a framer from a spec such as `length:u32be,include-header`. Every mistake in the spec
   * is a one-line UsageError naming it; `what` says where it came from (`--frame`, `/frame`).
   * The framer is guarded: a plugin bug surfaces as a PluginError naming the plugin.
   */
  createFramer(spec: string, what = 'frame'): Framer {
    const parts = splitSpec(spec, what);
    const found = this.#find('framers', parts.name, 'unknown framer', parts) as Resolved<FramerDefinition>;
    const options = this.#parse(parts, found);
    let framer: unknown;
    try {
      framer = found.definition.create(options);
    } catch (err) {
      if (isExpectedPluginError(err))
        throw new UsageError(`${what} '${parts.text}': ${(err as Error).message}`);
      throw pluginFailure(found.plugin, `framer '${found.name}' create()`, err);
    }
    const problem = framerProblem(framer);
    if (problem) throw pluginFailure(found.plugin, `framer '${found.name}' create()`, problem);
    return guardFramer(framer as Framer, found.plugin, found.name);
  }

  /**
   * Parses a fault spec (`delay:200ms,dir=out`) against its definition. `extraRows` are options
   * the fault pipeline adds to every fault (direction, schedule).
   */
  parseFault(spec: string, what = 'fault', extraRows: readonly OptionRow[] = []): ParsedFault {
    const parts = splitSpec(spec, what);
    const found = this.#find('faults', parts.name, 'unknown fault', parts) as Resolved<FaultDefinition>;
    return { ...found, spec: parts.text, options: this.#parse(parts, found, extraRows) };
  }

  /** Every enabled framer / fault / command, qualified when two plugins share a name (for Tab completion). */
  names(group: Group): string[] {
    const all = this.#enabled().flatMap((l) =>
      Object.keys(l.plugin[group] ?? {}).map((n) => ({ p: l.plugin.name, n })),
    );
    return all.map(({ p, n }) => (all.filter((o) => o.n === n).length > 1 ? `${p}/${n}` : n));
  }

  /**
   * Inspector rows from every enabled plugin, in load order. Each row's decode is guarded: a
   * throw or a value that is not text becomes an error naming the plugin and row, which the
   * inspector shows in that row's place while the other rows go on.
   */
  decoders(): (DecoderRow & { plugin: string })[] {
    return this.#enabled().flatMap((l) =>
      (l.plugin.decoders ?? []).map((row) => ({
        ...row,
        plugin: l.plugin.name,
        decode: (bytes: Uint8Array, endian: 'le' | 'be') => {
          const where = `inspector row '${row.name}' decode()`;
          let out: unknown;
          try {
            out = row.decode(bytes, endian);
          } catch (err) {
            throw pluginFailure(l.plugin.name, where, err);
          }
          if (typeof out === 'string') return out;
          if (isThenable(out)) Promise.resolve(out).catch(() => {});
          throw pluginFailure(
            l.plugin.name,
            where,
            new PluginContractError(`returned ${describeValue(out)}, not text`),
          );
        },
      })),
    );
  }

  #add(plugin: Plugin, source: string, builtin: boolean): Plugin {
    const clash = this.#loaded.find((l) => l.plugin.name === plugin.name);
    if (clash)
      throw new UsageError(
        `plugin '${source}': a plugin named '${plugin.name}' is already loaded (from ${clash.source})`,
      );
    this.#loaded.push({ plugin, source, builtin });
    return plugin;
  }

  #enabled(): LoadedPlugin[] {
    return this.#loaded.filter((l) => l.disabled === undefined);
  }

  #candidates(group: Group, name: string): Resolved<unknown>[] {
    const slash = name.lastIndexOf('/');
    const pluginName = slash >= 0 ? name.slice(0, slash) : undefined;
    const item = slash >= 0 ? name.slice(slash + 1) : name;
    const found: Resolved<unknown>[] = [];
    for (const l of this.#enabled()) {
      if (pluginName !== undefined && l.plugin.name !== pluginName) continue;
      const defs = l.plugin[group];
      if (defs && Object.hasOwn(defs, item))
        found.push({ plugin: l.plugin.name, name: item, definition: defs[item] });
    }
    return found;
  }

  #find(group: Group, name: string, unknown: string, parts?: SpecParts): Resolved<unknown> {
    const prefix = parts ? `${parts.what} '${parts.text}': ` : '';
    const found = this.#candidates(group, name);
    if (found.length === 1) return found[0]!;
    if (found.length > 1) {
      const qualified = found.map((f) => `${f.plugin}/${f.name}`);
      throw new UsageError(
        `${prefix}${NOUN[group]} '${name}' is defined by plugins ${found.map((f) => `'${f.plugin}'`).join(' and ')}; write ${qualified.join(' or ')}`,
      );
    }
    const known = this.names(group);
    const disabled = this.#loaded.find(
      (l) => l.disabled !== undefined && l.plugin[group]?.[name.split('/').pop()!],
    );
    if (disabled)
      throw new UsageError(
        `${prefix}${NOUN[group]} '${name}' belongs to plugin '${disabled.plugin.name}', which is disabled (${disabled.disabled})`,
      );
    const list = known.length
      ? `; ${NOUN[group]}s: ${known.join(', ')}`
      : `; no plugin defines any ${NOUN[group]}s`;
    throw new UsageError(`${prefix}${unknown} '${name}'${didYouMean(name, known)}${list}`);
  }

  #parse(
    parts: SpecParts,
    found: Resolved<{ options?: readonly OptionRow[] }>,
    extraRows: readonly OptionRow[] = [],
  ): ParsedOptions {
    try {
      return parseOptions(parts, found.definition as FramerDefinition, extraRows);
    } catch (err) {
      if (isExpectedPluginError(err)) throw err;
      // A custom row's parse() or a positional expand() that crashed is the plugin's bug.
      throw pluginFailure(found.plugin, `options of '${found.name}'`, err);
    }
  }
}
