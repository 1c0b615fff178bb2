import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

const HICCUP = resolve(import.meta.dirname, '../../../examples/plugins/hiccup.ts');

describe('sockrepl plugins', () => {
  it('lists the built-in framers and faults with their options, and the options every fault takes', async () => {
    const r = await runCli(['plugins']);
    expect(r.code).toBe(0);
    const out = r.stdout.toString();
    expect(out).toMatch(/^framing \(built-in\)\n {2}framers:\n/);
    expect(out).toContain('faults (built-in)\n  faults:\n    delay:<duration>  hold every chunk');
    for (const name of [
      'jitter',
      'throttle',
      'fragment',
      'coalesce',
      'corrupt',
      'drop',
      'duplicate',
      'stall',
      'reset',
      'halfclose',
      'blackhole',
    ])
      expect(out).toMatch(new RegExp(`^ {4}${name}[:[ ]`, 'm'));
    expect(out).toContain('every fault also takes (faults run in the order given):\n    dir=<in|out|both>');
  });

  it('adds --plugin ones, as text and as JSON', async () => {
    const r = await runCli(['plugins', '--plugin', HICCUP, '--json']);
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout.toString()) as {
      plugins: {
        name: string;
        builtin: boolean;
        source: string;
        faults: { name: string; options: { name: string }[] }[];
      }[];
      faultOptions: { name: string; default?: string }[];
    };
    expect(info.plugins.map((p) => [p.name, p.builtin])).toEqual([
      ['framing', true],
      ['faults', true],
      ['hiccup', false],
    ]);
    expect(info.plugins[2]!.faults[0]!.options.map((o) => o.name)).toEqual(['every', 'for', 'spread']);
    expect(info.faultOptions.map((o) => [o.name, o.default])).toEqual([
      ['dir', 'both'],
      ['from', '0ms'],
      ['until', undefined],
      ['when', undefined],
      ['count', undefined],
    ]);
    const text = await runCli(['plugins', '--plugin', HICCUP]);
    expect(text.stdout.toString()).toContain(
      `hiccup (${HICCUP})\n  faults:\n    hiccup[:<duration>][,options]`,
    );
  });

  it('a plugin that cannot load is exit 2 with one line', async () => {
    const r = await runCli(['plugins', '--plugin', './no/such/plugin.ts']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^sockrepl: plugin '\.\/no\/such\/plugin\.ts': no such file \(.*\)\n$/);
  });
});
