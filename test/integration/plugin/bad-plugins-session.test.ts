import { describe, expect, it } from 'vitest';
import { createInterpreter, createSession, startSession } from '../../../src/modes/open-session.js';
import { resolveOptionWords } from '../../../src/options/option-words.js';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import {
  dataBytes,
  events,
  finish,
  fixture,
  recordingServer,
  runToEnd,
  start,
  until,
} from './bad-plugin-helpers.js';

/**
 * The bad-plugin matrix for what a session runs (--json): framers that fail per chunk, at end
 * of stream or when encoding; commands that throw, reject, return garbage or never settle;
 * inspector rows that do. Each is one line naming the plugin and hook; the session goes on; every
 * byte received is shown (framed until the failure, raw from then on), none sent is changed.
 */

const cleanups = cleanupAfterEach();
const FRAMERS = fixture('bad-framers.ts');
const COMMANDS = fixture('bad-commands.ts');

/** The server's two chunks: the framer decodes the first fine and fails on the second. */
const GREETING = ['one\npar', 'tial\ntwo\nthr'];
const RECEIVED = GREETING.join('');

type Ev = Record<string, unknown>;
const ofType = (evs: Ev[], type: string) => evs.filter((e) => e.type === type);

/** A --json session against a server that greets in two chunks and ends after `endAfter` bytes. */
async function session(args: string[], input: string, endAfter: number | 'reset', greeting = GREETING) {
  const srv = await recordingServer(
    cleanups,
    endAfter === 'reset' ? { greeting, resetAfterGreeting: true } : { greeting, endAfter },
  );
  const r = await runToEnd(cleanups, ['--json', ...args, '127.0.0.1', String(srv.port)], input);
  return { r, evs: events(r.stdout), srv };
}

describe('--json: a framer that fails per chunk', () => {
  it('the control: frames, then what is left at the end shown raw with a warning', async () => {
    const { r, evs } = await session(['--plugin', FRAMERS, '--frame', 'good'], '/expect one\n/send go\n', 3);
    expect(r.code).toBe(0);
    expect(dataBytes(evs, 'in')).toBe(RECEIVED);
    expect(
      ofType(evs, 'data')
        .filter((e) => e.dir === 'in')
        .map((e) => e.frame),
    ).toEqual([1, 2, 3, undefined]);
    expect(ofType(evs, 'notice').map((e) => e.text)).toEqual([
      "framing: framer 'good': the stream ended inside a message (3 bytes shown raw)",
    ]);
  });

  it.each([
    ['decode-throws', 'decode() threw Error: boom'],
    ['decode-null', 'decode() returned null, not an array of frames'],
    ['decode-strings', 'decode() returned frame [0] whose payload is a string, not bytes (a Uint8Array)'],
    ['decode-rejects', 'decode() returned a promise, not an array of frames; decoding must answer at once'],
  ])(
    '%s: one notice naming it; frames until then, every later byte raw; sends unchanged',
    async (name, what) => {
      const { r, evs, srv } = await session(
        ['--plugin', FRAMERS, '--frame', name],
        '/expect one\n/send go\n',
        3,
      );
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(dataBytes(evs, 'in')).toBe(RECEIVED);
      const inEvents = ofType(evs, 'data').filter((e) => e.dir === 'in');
      expect(inEvents[0]).toMatchObject({ frame: 1, text: 'one\n' });
      expect(inEvents.slice(1).every((e) => e.frame === undefined)).toBe(true);
      expect(ofType(evs, 'notice').map((e) => [e.level, e.text])).toEqual([
        [
          'error',
          `framing ${name} failed on connection 1 (in): plugin 'bad-framers': framer '${name}' ${what}; showing raw chunks`,
        ],
      ]);
      expect(srv.received()).toBe('go\n');
    },
  );

  it('flush that throws at end of stream: one notice, the partial message shown raw', async () => {
    const { r, evs } = await session(
      ['--plugin', FRAMERS, '--frame', 'flush-throws'],
      '/expect part\n/send go\n',
      3,
      ['whole\npart'],
    );
    expect(r.code).toBe(0);
    expect(dataBytes(evs, 'in')).toBe('whole\npart');
    expect(ofType(evs, 'notice').map((e) => e.text)).toEqual([
      "framing: plugin 'bad-framers': framer 'flush-throws' flush() threw Error: boom",
    ]);
  });

  it.each([
    ['encode-string', 'encode() returned a string, not bytes (a Uint8Array); nothing was sent'],
    ['encode-throws', 'encode() threw Error: boom'],
  ])('%s: the send fails with one line and sends nothing; the session goes on', async (name, what) => {
    const input = '/send x\n/frame off\n/send after\n';
    const { r, evs, srv } = await session(['--plugin', FRAMERS, '--frame', name], input, 5, ['hi']);
    expect(ofType(evs, 'error').map((e) => e.message)).toEqual([
      `frame ${name}: plugin 'bad-framers': framer '${name}' ${what}`,
    ]);
    expect(ofType(evs, 'result').map((e) => [e.command, e.ok])).toEqual([
      ['frame', true],
      ['send', true],
    ]);
    expect(srv.received()).toBe('after');
    expect(r.stderr).toBe('');
  });
});

describe('--json: a command that breaks its contract', () => {
  it.each([
    ['throws', 'threw Error: boom'],
    ['rejects', 'threw Error: boom'],
    ['garbage', 'returned a number, not a line or lines (a string or an array of strings)'],
    [
      'garbage-lines',
      'returned an array holding null, not a line or lines (a string or an array of strings)',
    ],
  ])('/%s: one line naming it, the plugin disabled, the session goes on', async (name, what) => {
    const { r, evs, srv } = await session(['--plugin', COMMANDS], `/${name}\n/fine\n/send still\n`, 5, [
      'hi',
    ]);
    const failure = `plugin 'bad-commands': command '${name}' ${what}`;
    expect(ofType(evs, 'error').map((e) => e.message)).toEqual([
      `${failure}; plugin 'bad-commands' is disabled`,
      `/fine: plugin 'bad-commands' is disabled (${failure})`,
    ]);
    expect(ofType(evs, 'result').map((e) => [e.command, e.ok])).toEqual([['send', true]]);
    expect(srv.received()).toBe('still');
    expect(dataBytes(evs, 'in')).toBe('hi');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('/hangs (never settles, ignores its signal): data keeps flowing, nothing queued after it runs, SIGTERM ends it', async () => {
    const srv = await recordingServer(cleanups, { greeting: ['hello'] });
    const p = start(cleanups, ['--json', '--plugin', COMMANDS, '127.0.0.1', String(srv.port)]);
    p.child.stdin.write('/hangs\n/send never\n');
    await p.waitForStdout((out) => dataBytes(events(out), 'in') === 'hello', 15_000);
    p.child.kill('SIGTERM');
    const r = await finish(p);
    // Ended by the signal, or (with a handler) by exit 143 as nc does.
    expect(r.signal === 'SIGTERM' || r.code === 143).toBe(true);
    expect(srv.received()).toBe('');
    expect(r.stderr).toBe('');
  });

  it('/hangs at the prompt: Ctrl-C cancels it although it ignores its signal; the session goes on', async () => {
    const srv = await recordingServer(cleanups, { endAfter: 5 });
    const options = { ...resolveOptionWords([], 'connect'), plugin: [COMMANDS] };
    const spec = { kind: 'connect' as const, host: '127.0.0.1', port: srv.port, options };
    const s = await createSession(spec, { kernelRefreshMs: 0 });
    cleanups.push(() => s.close());
    await startSession(s, spec);
    const run = createInterpreter(s);
    const ctrlC = new AbortController();
    const hung = run.execute('/hangs', ctrlC.signal);
    ctrlC.abort();
    const outcome = await hung;
    expect(outcome).toMatchObject({ ok: false, error: { exitCode: 2 } });
    expect(outcome.lines).toEqual([
      "plugin 'bad-commands': command 'hangs' was cancelled (it did not stop by itself)",
    ]);
    expect((await run.execute('/fine')).lines).toEqual(['fine']);
    expect((await run.execute('/send still')).ok).toBe(true);
    await until(() => srv.received() === 'still', 'the server to receive "still"');
  });
});

describe('--json: inspector rows that break their contract', () => {
  it('each shows an error naming the plugin and row in its place; the other rows go on', async () => {
    const { r, evs } = await session(['--plugin', COMMANDS], '/expect A\n/inspect\n/send go\n', 2, ['A']);
    const inspect = ofType(evs, 'result').find((e) => e.command === 'inspect');
    const rows = ((inspect?.lines ?? []) as string[]).map((l) =>
      l
        .trim()
        .split(/\s+/)
        .slice(0, 1)
        .concat(l.trim().replace(/^\S+\s+/, '')),
    );
    expect(rows).toContainEqual(['uint8', '65']);
    expect(rows).toContainEqual(['fine', 'byte 65']);
    expect(rows).toContainEqual([
      'throws',
      "error: plugin 'bad-commands': inspector row 'throws' decode() threw Error: boom",
    ]);
    expect(rows).toContainEqual([
      'garbage',
      "error: plugin 'bad-commands': inspector row 'garbage' decode() returned a number, not text",
    ]);
    expect(rows).toContainEqual([
      'async',
      "error: plugin 'bad-commands': inspector row 'async' decode() returned a promise, not text",
    ]);
    expect(r.code).toBe(0);
  });
});
