import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import {
  events,
  expectStderrLines,
  fixture,
  recordingServer,
  runToEnd,
  SHORT_LOAD,
} from './bad-plugin-helpers.js';

/**
 * The bad-plugin matrix, at load and at create: a plugin that throws, rejects, returns garbage
 * or never settles while loading, or a fault or framer whose create() does, stops every mode
 * before anything connects: exit 2, one line naming the plugin (and hook), no stack trace.
 */

const cleanups = cleanupAfterEach();

const LOAD_CASES = [
  ['throws', 'throws-on-load.ts', 'failed to load: TLV_MODE is not set'],
  [
    'rejects',
    'rejects-on-load.ts',
    'its default export is a function, and calling it returned a promise that rejected: Error: no licence key',
  ],
  ['returns garbage', 'garbage-export.ts', 'its default export is a number, not a plugin object'],
  [
    'never settles (factory)',
    'never-loads.ts',
    'did not finish loading within 1s (SOCKREPL_PLUGIN_TIMEOUT=30s waits longer)',
  ],
  ['never settles (top-level await)', 'await-forever.ts', 'did not finish loading within 1s'],
  ['never settles, leaving a timer behind', 'never-loads-keeps-timer.ts', 'did not finish loading within 1s'],
] as const;

/** Each mode's command line, given the plugin option and the server's port. */
const MODES = {
  pipe: (plugin: string[], port: number) => [...plugin, '127.0.0.1', String(port)],
  json: (plugin: string[], port: number) => ['--json', ...plugin, '127.0.0.1', String(port)],
  proxy: (plugin: string[], port: number) => [
    'proxy',
    '0',
    '127.0.0.1',
    String(port),
    '-s',
    '127.0.0.1',
    ...plugin,
  ],
  plugins: (plugin: string[]) => ['plugins', ...plugin],
} as const;

/**
 * Every case in pipe mode and `plugins`; the first and the fourth (throws, never settles) also in
 * --json and the proxy, which load through the same function: the matrix without its repeats.
 */
const modesFor = (i: number): (keyof typeof MODES)[] =>
  i === 0 || i === 3 ? ['pipe', 'json', 'proxy', 'plugins'] : ['pipe', 'plugins'];

describe('a plugin that fails to load', () => {
  for (const [i, [how, file, why]] of LOAD_CASES.entries()) {
    it.each(modesFor(i))(`${how}: %s is exit 2 with one line, nothing connects`, async (mode) => {
      const srv = await recordingServer(cleanups);
      const path = fixture(file);
      const r = await runToEnd(cleanups, MODES[mode](['--plugin', path], srv.port), 'data\n', SHORT_LOAD);
      expect(r.code).toBe(2);
      expectStderrLines(r.stderr, new RegExp(`^sockrepl: plugin '${reEscape(path)}': ${reEscape(why)}`));
      // --json says it once more as its error event; the other modes print nothing.
      if (mode === 'json')
        expect(events(r.stdout)).toEqual([expect.objectContaining({ type: 'error', code: 'EUSAGE' })]);
      else expect(r.stdout.length).toBe(0);
      expect(srv.connections).toHaveLength(0);
    });
  }
});

describe('a fault whose create() breaks its contract', () => {
  const CREATE = [
    ['throws', 'create-throws', 'threw Error: boom'],
    ['rejects', 'create-rejects', 'returned a promise, not a transform'],
    ['returns null', 'create-null', 'returned null, not a transform object ({ onOpen?, onData?, onClose? })'],
    ['returns a number', 'create-number', 'returned a number, not a transform object'],
    ['never settles', 'create-pending', 'returned a promise, not a transform'],
  ] as const;
  // Every case in pipe mode; null and the promise also in --json and the proxy (same check).
  for (const [how, name, why] of CREATE) {
    const modes =
      how === 'returns null' || how === 'never settles'
        ? (['pipe', 'json', 'proxy'] as const)
        : (['pipe'] as const);
    it.each(modes)(`${how}: --fault in %s is exit 2 with one line, nothing connects`, async (mode) => {
      const srv = await recordingServer(cleanups);
      const args = ['--plugin', fixture('bad-faults.ts'), '--fault', name];
      const r = await runToEnd(cleanups, MODES[mode](args, srv.port), 'data\n');
      expect(r.code).toBe(2);
      expectStderrLines(
        r.stderr,
        new RegExp(`^sockrepl: plugin 'bad-faults': fault '${name}' create\\(\\) ${reEscape(why)}`),
      );
      expect(srv.connections).toHaveLength(0);
    });
  }
});

describe('a framer whose create() breaks its contract', () => {
  it.each([
    ['create-throws', 'threw Error: boom'],
    ['create-null', 'returned null, not a framer ({ decode, encode, flush? })'],
    ['create-string', 'returned a string, not a framer'],
    ['create-pending', 'returned a promise, not a framer; create() must return { decode, encode } at once'],
  ])('%s: --frame is exit 2 with one line, nothing connects', async (name, why) => {
    const srv = await recordingServer(cleanups);
    const args = ['--plugin', fixture('bad-framers.ts'), '--frame', name];
    const r = await runToEnd(cleanups, MODES.json(args, srv.port), '/send x\n');
    expect(r.code).toBe(2);
    expectStderrLines(
      r.stderr,
      new RegExp(`^sockrepl: plugin 'bad-framers': framer '${name}' create\\(\\) ${reEscape(why)}`),
    );
    expect(srv.connections).toHaveLength(0);
  });
});

describe('--plugin without --fault', () => {
  it('is loaded in pipe mode: a good plugin changes nothing, bytes pass exactly', async () => {
    const input = Buffer.from('exact bytes\x00\xff', 'latin1');
    const srv = await recordingServer(cleanups, { endAfter: input.length });
    const args = ['--plugin', fixture('bad-faults.ts'), '127.0.0.1', String(srv.port)];
    const r = await runToEnd(cleanups, args, input);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(srv.received()).toBe(input.toString('latin1'));
  });
});

function reEscape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
