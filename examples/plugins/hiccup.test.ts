import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlugin } from '../../src/plugin/load-plugin.js';
import { CliProcess } from '../../test/helpers/cli.js';
import { tcpServer } from '../../test/helpers/servers.js';
import { rig } from '../../test/unit/fault/harness.js';

const PLUGIN = resolve(import.meta.dirname, 'hiccup.ts');

describe('the hiccup example plugin', () => {
  it('holds traffic for for= every every= and then lets it through in order', async () => {
    // A .ts plugin compiles on load, which on a loaded CI machine can outlast the 10 s default.
    const plugin = await loadPlugin(PLUGIN, { timeoutMs: 120_000 });
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
    const got: Buffer[] = [];
    const srv = await tcpServer((s) => {
      s.on('data', (d) => got.push(d));
      s.on('end', () => s.end());
    });
    try {
      const p = new CliProcess(
        [
          '-v',
          '-N',
          '--plugin',
          PLUGIN,
          '--fault',
          'hiccup:1ms,for=3s,spread=0,dir=out',
          '127.0.0.1',
          String(srv.port),
        ],
        { SOCKREPL_PLUGIN_TIMEOUT: '60s' },
      );
      // Written once the first hiccup has begun, so sockrepl itself must hold it. Its own report
      // of the delay is the evidence: a wall clock here would also count this machine's load.
      await p.waitForStderr(/hiccup 1: holding traffic for 3000ms/, 60_000);
      p.child.stdin.end('late');
      const r = await p.exited;
      expect(r.code).toBe(0);
      expect(Buffer.concat(got).toString()).toBe('late');
      expect(r.stderr).toMatch(/#1 hiccup out: delayed \d+ ms/);
    } finally {
      await srv.close();
    }
  });
});
