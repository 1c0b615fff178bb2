import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineFault, defineFramer, definePlugin } from '../../../src/plugin/define-plugin.js';
import { parseOptions, splitSpec } from '../../../src/plugin/spec.js';
import type { FaultContext, Framer, OptionsOf, Plugin } from '../../../src/plugin/types.js';

describe('definePlugin and friends', () => {
  it('return their argument unchanged', () => {
    const p = { name: 'x' };
    expect(definePlugin(p)).toBe(p);
    const f = { summary: 's', create: () => ({ decode: () => [], encode: (b: Uint8Array) => b }) };
    expect(defineFramer(f)).toBe(f);
  });

  it('type create()’s options from the schema rows', () => {
    const def = defineFramer({
      summary: 's',
      options: [
        { key: 'width', kind: 'enum', values: { u8: 1, u16: 2 }, default: 1, summary: '' },
        { key: 'endian', kind: 'enum', values: ['le', 'be'], summary: '' },
        { key: 'includeHeader', kind: 'flag', summary: '' },
        { key: 'max', kind: 'size', required: true, summary: '' },
        { key: 'marker', kind: 'bytes', summary: '' },
        { key: 'when', kind: 'custom', hint: '<x>', parse: (t: string) => ({ t }), summary: '' },
      ],
      create(options) {
        expectTypeOf(options).toEqualTypeOf<{
          width: 1 | 2;
          includeHeader: boolean;
          max: number;
          endian?: 'le' | 'be';
          marker?: Uint8Array;
          when?: { t: string };
        }>();
        return { decode: () => [], encode: (b) => b };
      },
    });
    // A typed definition still fits the plugin's framer table.
    expectTypeOf(definePlugin({ name: 'p', framers: { def } })).toExtend<Plugin>();
    const parsed = parseOptions(splitSpec('p,max=1k,endian=le'), def);
    expect(parsed).toEqual({ width: 1, includeHeader: false, max: 1024, endian: 'le' });
  });

  it('type a fault’s create(options, ctx)', () => {
    defineFault({
      summary: 's',
      options: [{ key: 'ms', kind: 'duration', default: 100, summary: '' }],
      create(options, ctx) {
        expectTypeOf(options).toEqualTypeOf<{ ms: number }>();
        expectTypeOf(ctx).toEqualTypeOf<FaultContext>();
        return {};
      },
    });
  });

  it('gives an empty options type when there are no rows', () => {
    expectTypeOf<OptionsOf<[]>>().toEqualTypeOf<Record<never, never>>();
    expectTypeOf(defineFramer({ summary: 's', create: () => ({}) as Framer }).create)
      .parameter(0)
      .toEqualTypeOf<Record<never, never>>();
  });
});
