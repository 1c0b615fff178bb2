import type { Command } from 'commander';

/**
 * A subcommand's options merged over its parent's: `sockrepl -v listen 80` counts as much as
 * `sockrepl listen -v 80`, and a default of the subcommand never hides a value given before it.
 */
export function mergedOptions(cmd: Command): Record<string, unknown> {
  const parent = cmd.parent && cmd.parent !== cmd ? cmd.parent.opts() : {};
  const merged: Record<string, unknown> = { ...parent };
  for (const [key, value] of Object.entries(cmd.opts())) {
    if (value !== undefined && !(key in parent && cmd.getOptionValueSource(key) === 'default'))
      merged[key] = value;
  }
  return merged;
}
