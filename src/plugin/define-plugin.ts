import type {
  FaultContext,
  FaultDefinition,
  FaultTransform,
  Framer,
  FramerDefinition,
  OptionRow,
  OptionsOf,
  Plugin,
  Positional,
} from './types.js';

/**
 * Types a plugin object. It returns its argument unchanged: the point is the editor's help and
 * the compiler's checks, as with vite's and rollup's plugin objects.
 *
 * ```ts
 * export default definePlugin({ name: 'my-proto', framers: { tlv: defineFramer({ ... }) } });
 * ```
 */
export function definePlugin<const P extends Plugin>(plugin: P): P {
  return plugin;
}

/**
 * Types one framer definition so that `create` receives the options its schema declares:
 * `options: [{ key: 'size', kind: 'int', required: true, ... }]` gives `create({ size }: { size: number })`.
 */
export function defineFramer<const Rows extends readonly OptionRow[] = []>(definition: {
  summary: string;
  options?: Rows;
  positional?: Positional;
  create(options: OptionsOf<Rows>): Framer;
}): FramerDefinition<OptionsOf<Rows>> {
  return definition;
}

/** As `defineFramer`, for a fault definition. */
export function defineFault<const Rows extends readonly OptionRow[] = []>(definition: {
  summary: string;
  options?: Rows;
  positional?: Positional;
  create(options: OptionsOf<Rows>, ctx: FaultContext): FaultTransform;
}): FaultDefinition<OptionsOf<Rows>> {
  return definition;
}
