import { didYouMean } from '../codec/near-match.js';
import { UsageError } from '../errors.js';
import { describeValue as describe } from './describe-value.js';
import { optionName } from './spec.js';
import type { OptionRow, Plugin, SpecSchema } from './types.js';

/**
 * Checks that a loaded module's export is a usable plugin, so a mistake in a plugin is one clear
 * line at load time (exit 2), not a TypeError in the middle of a session.
 */

const PLUGIN_KEYS = ['name', 'framers', 'faults', 'commands', 'decoders'] as const;
const KINDS = ['flag', 'int', 'size', 'duration', 'probability', 'bytes', 'string', 'enum', 'custom'];
/** Framer, fault and command names: no `:` `,` `=` `/` or spaces, which the spec grammar uses. */
const ITEM_NAME = /^[A-Za-z0-9_][\w.-]*$/;
/** Plugin names may look like npm packages (`@acme/sockrepl-tlv`). */
const PLUGIN_NAME = /^[A-Za-z0-9_@][\w@./-]*$/;

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Returns `value` typed as a Plugin, or throws a UsageError naming `source` and what is wrong. */
export function validatePlugin(value: unknown, source: string): Plugin {
  const fail = (why: string): never => {
    throw new UsageError(`plugin '${source}': ${why}`);
  };
  if (!isObject(value))
    fail(
      `its default export is ${describe(value)}, not a plugin object (export default definePlugin({ name: 'my-plugin', ... }))`,
    );
  const plugin = value as Obj;
  if (typeof plugin.name !== 'string' || plugin.name === '')
    fail(
      `its default export has no 'name' (every plugin needs one: definePlugin({ name: 'my-plugin', ... }))`,
    );
  const name = plugin.name as string;
  if (!PLUGIN_NAME.test(name)) fail(`name '${name}' may hold only letters, digits and - _ . / @`);
  const where = (path: string) => `plugin '${name}' (${source}): ${path}`;
  for (const key of Object.keys(plugin)) {
    // Other metadata (version, description) is welcome; a near-miss of a hook name is a typo.
    if (!(PLUGIN_KEYS as readonly string[]).includes(key) && didYouMean(key, PLUGIN_KEYS) !== '')
      throw new UsageError(`${where(key)} is not a plugin property${didYouMean(key, PLUGIN_KEYS)}`);
  }

  for (const group of ['framers', 'faults'] as const) {
    const defs = plugin[group];
    if (defs === undefined) continue;
    if (!isObject(defs)) throw new UsageError(`${where(group)} must be an object of name → definition`);
    for (const [item, def] of Object.entries(defs)) {
      const at = `${group}.${item}`;
      if (!ITEM_NAME.test(item))
        throw new UsageError(`${where(at)}: a name may hold only letters, digits and - _ .`);
      if (!isObject(def)) throw new UsageError(`${where(at)} must be an object with summary and create`);
      if (typeof def.create !== 'function')
        throw new UsageError(`${where(`${at}.create`)} must be a function`);
      checkSchema(def, (why) => new UsageError(`${where(at)}: ${why}`));
    }
  }

  const commands = plugin.commands;
  if (commands !== undefined) {
    if (!isObject(commands)) throw new UsageError(`${where('commands')} must be an object of name → command`);
    for (const [item, cmd] of Object.entries(commands)) {
      const at = `commands.${item}`;
      if (!ITEM_NAME.test(item))
        throw new UsageError(`${where(at)}: a name may hold only letters, digits and - _ .`);
      if (!isObject(cmd) || typeof cmd.run !== 'function')
        throw new UsageError(`${where(at)} must be an object with summary, usage and run()`);
      for (const field of ['summary', 'usage'])
        if (typeof cmd[field] !== 'string')
          throw new UsageError(`${where(`${at}.${field}`)} must be a string`);
    }
  }

  const decoders = plugin.decoders;
  if (decoders !== undefined) {
    if (!Array.isArray(decoders))
      throw new UsageError(`${where('decoders')} must be an array of inspector rows`);
    decoders.forEach((row: unknown, i) => {
      const at = `decoders[${i}]`;
      if (!isObject(row) || typeof row.name !== 'string' || typeof row.decode !== 'function')
        throw new UsageError(`${where(at)} must be { name, size, decode(bytes, endian) }`);
      if (typeof row.size !== 'number' || !Number.isInteger(row.size) || row.size < 1)
        throw new UsageError(`${where(`${at}.size`)} must be a whole number of bytes, at least 1`);
    });
  }
  return value as unknown as Plugin;
}

/** Checks a definition's summary, option rows and positional argument. */
export function checkSchema(def: Obj, error: (why: string) => Error): asserts def is Obj & SpecSchema {
  if (typeof def.summary !== 'string') throw error(`summary must be a string`);
  const options = def.options ?? [];
  if (!Array.isArray(options)) throw error('options must be an array of option rows');
  const keys = new Set<string>();
  const names = new Set<string>();
  options.forEach((row: unknown, i) => {
    const at = `options[${i}]`;
    if (!isObject(row) || typeof row.key !== 'string' || row.key === '') throw error(`${at} needs a 'key'`);
    if (!KINDS.includes(row.kind as string))
      throw error(`${at} (${row.key}): kind '${String(row.kind)}' is not one of ${KINDS.join(', ')}`);
    if (typeof row.summary !== 'string') throw error(`${at} (${row.key}): summary must be a string`);
    if (row.kind === 'enum') {
      const values = row.values;
      const count = Array.isArray(values) ? values.length : isObject(values) ? Object.keys(values).length : 0;
      if (count === 0) throw error(`${at} (${row.key}): an enum needs values`);
    }
    if (row.kind === 'custom' && (typeof row.parse !== 'function' || typeof row.hint !== 'string'))
      throw error(`${at} (${row.key}): a custom option needs parse(text) and a hint`);
    const spelled = optionName(row as unknown as OptionRow).toLowerCase();
    if (keys.has(row.key) || names.has(spelled)) throw error(`${at}: option '${spelled}' is declared twice`);
    keys.add(row.key);
    names.add(spelled);
  });
  const positional = def.positional;
  if (positional === undefined) return;
  if (typeof positional === 'string') {
    if (!keys.has(positional)) throw error(`positional '${positional}' is not the key of an option row`);
  } else if (
    !isObject(positional) ||
    typeof positional.expand !== 'function' ||
    typeof positional.hint !== 'string'
  ) {
    throw error(`positional must be an option key or { hint, summary, expand(text) }`);
  }
}
