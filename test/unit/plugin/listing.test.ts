import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILTIN_PLUGINS } from '../../../plugins/index.js';
import { formatPluginList, pluginListInfo } from '../../../src/plugin/listing.js';
import { PluginRegistry } from '../../../src/plugin/registry.js';

const withBuiltins = () => new PluginRegistry({ builtins: BUILTIN_PLUGINS });

const fixtures = resolve(import.meta.dirname, '../../fixtures/plugins');

describe('sockrepl plugins listing', () => {
  it('lists built-in and loaded plugins with everything they contribute', async () => {
    const registry = withBuiltins();
    await registry.load(resolve(fixtures, 'tlv-plugin.ts'));
    await registry.load(resolve(fixtures, 'plain-plugin.mjs'));
    registry.disable('plain', 'decode threw');
    const text = formatPluginList(registry.plugins);
    const lines = text.split('\n');
    expect(lines[0]).toBe('framing (built-in)');
    expect(lines).toContain('  framers:');
    expect(text).toContain(
      '    length[:<u8|u16|u32|u64>[le|be]][,options]  messages after an unsigned length field',
    );
    expect(text).toContain('        include-header            the length counts the length field itself');
    expect(text).toContain(`tlv (${resolve(fixtures, 'tlv-plugin.ts')})`);
    expect(text).toContain('    tlv[:<n>]  type-length-value records');
    expect(text).toContain('  faults:\n    pass[,options]  forwards every chunk unchanged');
    expect(text).toContain('  commands:\n    /hello [name]  says hello');
    expect(text).toContain('  inspector rows:\n    bcd (1 byte)');
    expect(text).toContain(`plain (${resolve(fixtures, 'plain-plugin.mjs')}, disabled: decode threw)`);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('gives the same as data', () => {
    const [framing] = pluginListInfo(withBuiltins().plugins);
    expect(framing!.name).toBe('framing');
    const fixed = framing!.framers.find((f) => f.name === 'fixed')!;
    expect(fixed.synopsis).toBe('fixed:<size>[,options]');
    expect(fixed.options[0]).toEqual({
      name: 'size',
      kind: 'size',
      value: '<size>',
      summary: 'bytes per message',
      required: true,
    });
    const lines = framing!.framers.find((f) => f.name === 'lines')!;
    expect(lines.options.find((o) => o.name === 'max')?.default).toBe('16m');
    expect(JSON.parse(JSON.stringify(framing))).toEqual(framing);
  });
});
