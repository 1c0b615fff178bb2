import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LOAD_TIMEOUT_MS, loadPlugin, loadTimeoutMs } from '../../../src/plugin/load-plugin.js';

/** Loading has a deadline: a plugin that never settles is a one-line usage error, not a silent exit 0. */

const fixture = (name: string) => resolve(import.meta.dirname, '../../fixtures/plugins', name);

describe('loadPlugin', () => {
  it.each(['never-loads.ts', 'await-forever.ts'])(
    '%s: stops at the timeout with one line (exit 2)',
    async (name) => {
      const err = (await loadPlugin(fixture(name), { timeoutMs: 300 }).then(
        () => new Error('loaded'),
        (e: unknown) => e,
      )) as Error & { exitCode: number };
      expect(err.message).toBe(
        `plugin '${fixture(name)}': did not finish loading within 300ms (SOCKREPL_PLUGIN_TIMEOUT=30s waits longer)`,
      );
      expect(err.exitCode).toBe(2);
    },
  );

  it('a plugin that loads in time is not touched by the deadline', async () => {
    expect((await loadPlugin(fixture('factory-plugin.ts'), { timeoutMs: 30_000 })).name).toBeTypeOf('string');
  });
});

describe('loadTimeoutMs', () => {
  it('is 10 s unless SOCKREPL_PLUGIN_TIMEOUT says otherwise, as a duration', () => {
    expect(loadTimeoutMs({})).toBe(DEFAULT_LOAD_TIMEOUT_MS);
    expect(loadTimeoutMs({ SOCKREPL_PLUGIN_TIMEOUT: '30s' })).toBe(30_000);
    expect(loadTimeoutMs({ SOCKREPL_PLUGIN_TIMEOUT: '250ms' })).toBe(250);
  });

  it('refuses what is not a positive duration, naming the variable', () => {
    expect(() => loadTimeoutMs({ SOCKREPL_PLUGIN_TIMEOUT: 'soon' })).toThrow(
      /^SOCKREPL_PLUGIN_TIMEOUT: 'soon' is not a duration/,
    );
    expect(() => loadTimeoutMs({ SOCKREPL_PLUGIN_TIMEOUT: '0' })).toThrow(/must be more than 0/);
  });
});
