import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlugin } from '../../src/plugin/load-plugin.js';
import { CliProcess } from '../../test/helpers/cli.js';
import { tcpServer } from '../../test/helpers/servers.js';
import { rig } from '../../test/unit/fault/harness.js';

const PLUGIN = resolve(import.meta.dirname, 'hiccup.ts');

describe('the hiccup example plugin', () => {
  it('holds traffic for for= every every= and then lets it through in order', async () => {
    const plugin = await loadPlugin(PLUGIN);
    const r = rig(['hiccup:1s,for=200ms,spread=0'], { plugins: [plugin] });
    r.push('out', 'a');
    r.clock.advance(1000); // the hiccup starts
    r.push('out', 'b');
    r.push('in', 'x');
    expect(r.text('out')).toBe('a');
    expect(r.holds.size).toBe(1);
    r.clock.advance(200);
    expect(r.chunks('out').map((d) => [d.bytes.toString(), d.t])).toEqual([
      ['a', 0],
      ['b', 1200],
    ]);
    expect(r.text('in')).toBe('x');
    expect(r.holds.size).toBe(0);
    expect(r.logs).toEqual(['hiccup: hiccup 1: holding traffic for 200ms']);
    r.clock.advance(1000);
    r.push('out', 'c');
    r.pipeline.stopAll();
    expect(r.text('out')).toBe('abc');
  });

  it('loads from a .ts file with --plugin and acts on a real connection', async () => {
    const got: { at: number; data: string }[] = [];
    let accepted = 0;
    let send = () => {};
    const srv = await tcpServer((s) => {
      accepted = performance.now();
      send();
      s.on('data', (d) => got.push({ at: performance.now() - accepted, data: d.toString() }));
      s.on('end', () => s.end());
    });
    try {
      const p = new CliProcess([
        '-N',
        '--plugin',
        PLUGIN,
        '--fault',
        'hiccup:1ms,for=400ms,spread=0,dir=out',
        '127.0.0.1',
        String(srv.port),
      ]);
      // Sent 100 ms after the connection opens, inside the first hiccup (from 1 ms to 401 ms).
      send = () => setTimeout(() => p.child.stdin.end('late'), 100);
      const r = await p.exited;
      expect(r.code).toBe(0);
      expect(got.map((g) => g.data).join('')).toBe('late');
      expect(got[0]!.at).toBeGreaterThanOrEqual(380);
    } finally {
      await srv.close();
    }
  });
});
