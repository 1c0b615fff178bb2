import type { Command } from 'commander';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * `sockrepl plugins [--plugin <path>]... [--json]`: the built-in plugins and any loaded with
 * `--plugin`, with their framers, faults, commands, inspector rows and every option, drawn from
 * the same tables the parser uses. A plugin that fails to load is exit 2, as everywhere.
 */
export function registerPluginsCommand(program: Command): void {
  program
    .command('plugins')
    .description('list built-in and loaded plugins: framers, faults, commands, inspector rows, options')
    .option('--plugin <path>', 'load a plugin module first (repeatable)', collect)
    .option('--json', 'print the list as JSON')
    .action(async (opts: { plugin?: string[]; json?: boolean }, cmd: Command) => {
      // Loaded here only: the plugins are no concern of a connection that does not name them.
      const { loadPlugins } = await import('../modes/plugin-registry.js');
      const { formatPluginList, pluginListInfo } = await import('../plugin/listing.js');
      const { describeSpec } = await import('../plugin/spec-help.js');
      const { FAULT_ROWS } = await import('../fault/fault-entry.js');
      const parent = (cmd.parent?.opts().plugin as string[] | undefined) ?? [];
      const registry = await loadPlugins([...parent, ...(opts.plugin ?? [])]);
      const common = { summary: '', options: FAULT_ROWS, create: () => ({}) };
      if (opts.json || cmd.parent?.opts().json) {
        const faultOptions = pluginListInfo([
          { plugin: { name: '', faults: { all: common } }, source: '', builtin: true },
        ])[0]!.faults[0]!.options;
        process.stdout.write(
          `${JSON.stringify({ plugins: pluginListInfo(registry.plugins), faultOptions }, null, 2)}\n`,
        );
        return;
      }
      const shared = describeSpec('', common, '').slice(1);
      process.stdout.write(
        `${formatPluginList(registry.plugins)}\nevery fault also takes (faults run in the order given):\n${shared.join('\n')}\n`,
      );
    });
}
