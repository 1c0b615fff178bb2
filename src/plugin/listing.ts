import type { LoadedPlugin } from './registry.js';
import { optionName, valueHint } from './spec.js';
import { describeSpec, formatDefault, specSynopsis } from './spec-help.js';
import type { SpecSchema } from './types.js';

/**
 * What `sockrepl plugins` prints: every plugin with its framers, faults, commands and inspector
 * rows, the options of each drawn from the same rows the parser uses.
 */
export function formatPluginList(plugins: readonly LoadedPlugin[]): string {
  const out: string[] = [];
  for (const { plugin, source, builtin, disabled } of plugins) {
    const state = disabled === undefined ? '' : `, disabled: ${disabled}`;
    out.push(`${plugin.name} (${builtin ? 'built-in' : source}${state})`);
    for (const group of ['framers', 'faults'] as const) {
      const defs = Object.entries(plugin[group] ?? {});
      if (defs.length === 0) continue;
      out.push(`  ${group}:`);
      for (const [name, def] of defs) out.push(...describeSpec(name, def, '    '));
    }
    const commands = Object.entries(plugin.commands ?? {});
    if (commands.length) {
      out.push('  commands:');
      const width = Math.max(...commands.map(([, c]) => c.usage.length));
      for (const [, c] of commands) out.push(`    ${c.usage.padEnd(width)}  ${c.summary}`);
    }
    const decoders = plugin.decoders ?? [];
    if (decoders.length) {
      out.push('  inspector rows:');
      for (const d of decoders) out.push(`    ${d.name} (${d.size} byte${d.size === 1 ? '' : 's'})`);
    }
    if (!plugin.framers && !plugin.faults && !commands.length && !decoders.length)
      out.push('  (contributes nothing)');
  }
  return `${out.join('\n')}\n`;
}

export interface SpecInfo {
  name: string;
  synopsis: string;
  summary: string;
  options: {
    name: string;
    kind: string;
    value: string;
    summary: string;
    default?: string;
    required: boolean;
  }[];
}

export interface PluginInfo {
  name: string;
  source: string;
  builtin: boolean;
  disabled?: string;
  framers: SpecInfo[];
  faults: SpecInfo[];
  commands: { name: string; usage: string; summary: string }[];
  decoders: { name: string; size: number }[];
}

/** The same, as data (`sockrepl plugins --json`). */
export function pluginListInfo(plugins: readonly LoadedPlugin[]): PluginInfo[] {
  return plugins.map(({ plugin, source, builtin, disabled }) => ({
    name: plugin.name,
    source,
    builtin,
    ...(disabled === undefined ? {} : { disabled }),
    framers: Object.entries(plugin.framers ?? {}).map(([name, def]) => specInfo(name, def)),
    faults: Object.entries(plugin.faults ?? {}).map(([name, def]) => specInfo(name, def)),
    commands: Object.entries(plugin.commands ?? {}).map(([name, c]) => ({
      name,
      usage: c.usage,
      summary: c.summary,
    })),
    decoders: (plugin.decoders ?? []).map((d) => ({ name: d.name, size: d.size })),
  }));
}

function specInfo(name: string, def: SpecSchema): SpecInfo {
  return {
    name,
    synopsis: specSynopsis(name, def),
    summary: def.summary,
    options: (def.options ?? []).map((row) => {
      const shown = formatDefault(row);
      return {
        name: optionName(row),
        kind: row.kind,
        value: valueHint(row),
        summary: row.summary,
        ...(shown === undefined ? {} : { default: shown }),
        required: row.required === true && row.default === undefined,
      };
    }),
  };
}
