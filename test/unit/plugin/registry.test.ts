import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_PLUGINS } from '../../../plugins/index.js';
import { UsageError } from '../../../src/errors.js';
import { PluginError } from '../../../src/plugin/errors.js';
import { loadPlugin } from '../../../src/plugin/load-plugin.js';
import { PluginRegistry } from '../../../src/plugin/registry.js';
import type { OptionRow } from '../../../src/plugin/types.js';

const withBuiltins = () => new PluginRegistry({ builtins: BUILTIN_PLUGINS });
const fixtures = resolve(import.meta.dirname, '../../fixtures/plugins');
const fixture = (name: string) => join(fixtures, name);
const enc = (s: string) => new TextEncoder().encode(s);

describe('PluginRegistry with the built-in plugins', () => {
  const registry = withBuiltins();

  it('registers the built-in plugins it is given, and none otherwise', () => {
    expect(registry.plugins.map((p) => [p.plugin.name, p.source, p.builtin])).toEqual([
      ['framing', 'built-in', true],
      ['faults', 'built-in', true],
    ]);
    expect(registry.names('framers')).toEqual(['lines', 'delim', 'length', 'varint', 'fixed', 'json-header']);
    expect(new PluginRegistry().plugins).toEqual([]);
  });

  it('creates a framer from a spec, by bare or qualified name', () => {
    const f = registry.createFramer('framing/length:u16le');
    expect(Buffer.from(f.encode(enc('hi'))).toString('hex')).toBe('02006869');
    expect(registry.findFramer('lines')).toMatchObject({ plugin: 'framing', name: 'lines' });
  });

  it('suggests near names for an unknown framer and lists the known ones', () => {
    expect(() => registry.createFramer('lenght:u32be', '--frame')).toThrow(
      new UsageError(
        "--frame 'lenght:u32be': unknown framer 'lenght' (did you mean 'length'?); framers: lines, delim, length, varint, fixed, json-header",
      ),
    );
    expect(() => registry.findFramer('nope')).toThrow(/^unknown framer 'nope'; framers: lines/);
    expect(() => registry.createFramer('other/lines')).toThrow(/unknown framer 'other\/lines'/);
  });

  it('says when no plugin defines any fault, and suggests a near name otherwise', () => {
    expect(() => new PluginRegistry().parseFault('delay:200ms', '--fault')).toThrow(
      "--fault 'delay:200ms': unknown fault 'delay'; no plugin defines any faults",
    );
    expect(() => registry.parseFault('dealy:1s', '--fault')).toThrow(
      /unknown fault 'dealy' \(did you mean 'delay'\?\)/,
    );
  });
});

describe('loading plugins', () => {
  it('loads a .ts plugin through jiti, without a build step, and uses all it contributes', async () => {
    const registry = withBuiltins();
    const plugin = await registry.load(fixture('tlv-plugin.ts'));
    expect(plugin.name).toBe('tlv');

    const f = registry.createFramer('tlv:7');
    const wire = f.encode(enc('abc'));
    expect(Buffer.from(wire).toString('hex')).toBe('070003616263');
    const frames = registry.createFramer('tlv').decode(wire);
    expect(frames).toHaveLength(1);
    expect(frames[0]!.header).toEqual({ type: 7 });

    const dir: OptionRow = {
      key: 'dir',
      kind: 'enum',
      values: ['in', 'out', 'both'],
      default: 'both',
      summary: 'd',
    };
    const fault = registry.parseFault('pass,note=x,dir=in', '--fault', [dir]);
    expect(fault).toMatchObject({
      plugin: 'tlv',
      name: 'pass',
      spec: 'pass,note=x,dir=in',
      options: { note: 'x', dir: 'in' },
    });
    expect(registry.findCommand('hello')?.definition.usage).toBe('/hello [name]');
    expect(registry.findCommand('nope')).toBeUndefined();
    expect(registry.decoders().map((d) => [d.plugin, d.name, d.decode(Uint8Array.of(0x42), 'be')])).toEqual([
      ['tlv', 'bcd', '42'],
    ]);
  });

  it('resolves a relative path against cwd', async () => {
    const plugin = await loadPlugin('./fixtures/plugins/factory-plugin.ts', {
      cwd: resolve(fixtures, '../..'),
    });
    expect(plugin.name).toBe('factory');
  });

  it('calls a default export that is a factory function', async () => {
    const registry = withBuiltins();
    await registry.load(fixture('factory-plugin.ts'));
    expect(registry.createFramer('whole').decode(enc('x'))).toHaveLength(1);
  });

  it('loads a plain JavaScript module', async () => {
    const plugin = await loadPlugin(fixture('plain-plugin.mjs'));
    expect(plugin.decoders?.[0]?.decode(Uint8Array.of(0xa0), 'le')).toBe('10');
  });

  describe('an installed package', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'sockrepl-plugin-'));
      const pkg = join(dir, 'node_modules', 'sockrepl-plugin-demo');
      mkdirSync(pkg, { recursive: true });
      writeFileSync(
        join(pkg, 'package.json'),
        JSON.stringify({
          name: 'sockrepl-plugin-demo',
          type: 'module',
          exports: { '.': { import: './index.js' } },
        }),
      );
      writeFileSync(join(pkg, 'index.js'), "export default { name: 'demo', commands: {} };\n");
      writeFileSync(join(dir, 'broken.ts'), "export default { name: 'x', oops: ( };\n");
      writeFileSync(
        join(dir, 'needs-dep.ts'),
        "import x from 'no-such-dep-xyz';\nexport default { name: 'd', x };\n",
      );
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('is resolved from cwd', async () => {
      expect((await loadPlugin('sockrepl-plugin-demo', { cwd: dir })).name).toBe('demo');
    });

    it('when missing, is one clear line', async () => {
      await expect(loadPlugin('sockrepl-plugin-nope', { cwd: dir })).rejects.toThrow(
        new UsageError(
          `plugin 'sockrepl-plugin-nope': not a file, and no package 'sockrepl-plugin-nope' is installed for ${dir} (write ./sockrepl-plugin-nope for a file)`,
        ),
      );
    });

    it('reports a syntax error as a failure to load', async () => {
      await expect(loadPlugin('./broken.ts', { cwd: dir })).rejects.toThrow(
        /^plugin '\.\/broken\.ts': failed to load: /,
      );
    });

    it('reports a missing dependency of the plugin, not the plugin, as missing', async () => {
      await expect(loadPlugin('./needs-dep.ts', { cwd: dir })).rejects.toThrow(
        "plugin './needs-dep.ts': failed to load: Cannot find module 'no-such-dep-xyz'",
      );
    });
  });

  it.each([
    ['missing.ts', /^plugin '.*missing\.ts': no such file \(.*missing\.ts\)$/],
    [
      'no-default.ts',
      /: the module has no default export \(it exports 'plugin'\); write export default definePlugin/,
    ],
    [
      'no-name.ts',
      /: its default export has no 'name' \(every plugin needs one: definePlugin\(\{ name: 'my-plugin'/,
    ],
    ['throws-on-load.ts', /: failed to load: TLV_MODE is not set$/],
    ['typo-plugin.ts', /plugin 'typo' \(.*\): framer is not a plugin property \(did you mean 'framers'\?\)/],
    ['bad-schema.ts', /framers\.x: options\[0\] \(n\): kind 'number' is not one of flag, int/],
  ])('rejects %s with a one-line UsageError', async (name, message) => {
    const err = await loadPlugin(fixture(name)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('\n');
  });

  it('refuses a second plugin of the same name', async () => {
    const registry = withBuiltins();
    await registry.load(fixture('tlv-plugin.ts'));
    await expect(registry.load(fixture('tlv-plugin.ts'))).rejects.toThrow(
      /a plugin named 'tlv' is already loaded/,
    );
    expect(() => registry.add({ name: 'framing' }, 'inline')).toThrow(
      "plugin 'inline': a plugin named 'framing' is already loaded (from built-in)",
    );
  });
});

describe('plugins that clash or fail', () => {
  it('asks for a qualified name when two plugins define the same framer', async () => {
    const registry = withBuiltins();
    await registry.load(fixture('shadow-lines.ts'));
    expect(() => registry.createFramer('lines', '--frame')).toThrow(
      "--frame 'lines': framer 'lines' is defined by plugins 'framing' and 'mylines'; write framing/lines or mylines/lines",
    );
    expect(registry.createFramer('framing/lines').encode(enc('a'))).toEqual(enc('a\n'));
    expect(registry.names('framers')).toContain('mylines/lines');
  });

  it('turns a crash inside a framer into a PluginError naming the plugin', async () => {
    const registry = withBuiltins();
    await registry.load(fixture('buggy-plugin.ts'));
    const f = registry.createFramer('crash');
    const err = (() => {
      try {
        f.decode(enc('x'));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(PluginError);
    expect((err as PluginError).plugin).toBe('buggy');
    expect((err as PluginError).message).toMatch(
      /^plugin 'buggy': framer 'crash' decode\(\) threw TypeError: /,
    );
    expect(f.encode(enc('ok'))).toEqual(enc('ok'));
  });

  it('reports options a plugin refuses as the spec’s usage error, and a crash in create as the plugin’s', async () => {
    const registry = withBuiltins();
    await registry.load(fixture('buggy-plugin.ts'));
    expect(() => registry.createFramer('picky,min=5,max=1', '/frame')).toThrow(
      new UsageError("/frame 'picky,min=5,max=1': min is more than max"),
    );
    expect(() => registry.createFramer('broken')).toThrow(
      new PluginError('buggy', "plugin 'buggy': framer 'broken' create() threw Error: not implemented yet"),
    );
  });

  it('leaves a disabled plugin out of every lookup, and says so', async () => {
    const registry = withBuiltins();
    await registry.load(fixture('tlv-plugin.ts'));
    registry.disable('tlv', 'its framer threw');
    expect(registry.plugins.find((p) => p.plugin.name === 'tlv')?.disabled).toBe('its framer threw');
    expect(() => registry.createFramer('tlv')).toThrow(
      "frame 'tlv': framer 'tlv' belongs to plugin 'tlv', which is disabled (its framer threw)",
    );
    expect(registry.decoders()).toEqual([]);
    expect(registry.findCommand('hello')).toBeUndefined();
  });
});
