import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliProcess, runCli } from '../helpers/cli.js';
import { parseJsonEvents } from '../helpers/json-events.js';
import { freePort, tcpServer } from '../helpers/servers.js';

/**
 * The command line and the `--json` command lines, fuzzed through the real program: whatever a
 * user types, the answer is an exit code the README documents (0, 1, 2, 3) and words, never a
 * stack trace. Only loopback is ever named, and nothing that listens, runs programs or writes
 * files is in the vocabulary.
 */

const STACK = /^\s+at .+:\d+:\d+\)?$/m;

function noCrash(stderr: string): void {
  expect(stderr).not.toMatch(STACK);
  expect(stderr).not.toMatch(/internal error/i);
}

const FLAG_WORDS = [
  '-u',
  '-4',
  '-6',
  '-v',
  '-x',
  '-N',
  '-q',
  '-w',
  '-p',
  '-i',
  '-C',
  '--nodelay',
  '--linger',
  '--ttl',
  '--send-only',
  '--recv-only',
  '--keepalive',
  '--rcvbuf',
  '--sndbuf',
  '--reuseaddr',
  '--enc',
  '--frame',
  '--fault',
  '--json',
  '--no-tui',
  '--bogus',
  '-Z',
  '--',
  '--eol',
  '--endian',
  '0',
  '1',
  '-1',
  '70000',
  '1s',
  '0x10',
  '1k',
  'abc',
  'gbk',
  'nope',
  'length:u99',
  'delay:xx',
  'lines',
  'crlf',
  'le',
  '',
];

describe('fuzz: command-line arguments', () => {
  let closedPort: number;
  beforeAll(async () => {
    closedPort = await freePort();
  });

  it('random flags before a loopback address: documented exit codes, one-line errors', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...FLAG_WORDS), { maxLength: 6 }), async (words) => {
        const r = await runCli([...words, '-w', '2', '127.0.0.1', String(closedPort)], '', 20_000);
        noCrash(r.stderr);
        expect(r.signal).toBeNull();
        expect([0, 1, 2, 3]).toContain(r.code);
        if (r.code !== 0) expect(r.stderr.trim()).not.toBe('');
      }),
      { numRuns: 20 },
    );
  }, 240_000);

  it('oversized pack formats and deep scripts are usage errors, at once', async () => {
    for (const f of ['4294967296x', '1000000000x', '99999999999999999999Q']) {
      const r = await runCli(['pack', f], '', 20_000);
      noCrash(r.stderr);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /^sockrepl: pack: (total struct size too long|cannot pack \d+ bytes: one pack makes at most 64 MiB)/,
      );
    }
  }, 60_000);
});

describe('fuzz: --json command lines', () => {
  let server: Awaited<ReturnType<typeof tcpServer>>;
  beforeAll(async () => {
    server = await tcpServer((s) => s.on('data', () => {}));
  });
  afterAll(() => server.close());

  const word = fc.constantFrom(
    '/send',
    '/hex',
    '/pack',
    '/opt',
    '/info',
    '/use',
    '/all',
    '/enc',
    '/endian',
    '/eol',
    '/frame',
    '/inspect',
    '/view',
    '/clear',
    '/help',
    '/fault',
    'send',
    '/',
    '//',
    '/nope',
  );
  const arg = fc.oneof(
    fc.constantFrom(
      'x',
      '"a\\x00b"',
      '<I',
      '4294967296x',
      '1 2 3',
      'nodelay',
      'ttl',
      '0',
      '-1',
      'gbk',
      'utf-16le',
      'length:u32be',
      'delay:1ms',
      'off',
      '/a+/',
      '/(/',
      'hex:zz',
      '1ms',
      'le',
      'crlf',
      'all',
      '#9',
    ),
    fc.string({ maxLength: 12 }).filter((s) => !s.includes('\n') && !s.includes('\r')),
  );
  // An expect waits for data that never comes: a pattern, then a short timeout (the last word).
  const expectLine = fc
    .tuple(fc.array(arg, { minLength: 1, maxLength: 2 }))
    .map(([a]) => ['/expect', ...a, '1ms'].join(' '));
  const line = fc.oneof(
    {
      arbitrary: fc.tuple(word, fc.array(arg, { maxLength: 3 })).map(([w, a]) => [w, ...a].join(' ')),
      weight: 5,
    },
    { arbitrary: expectLine, weight: 1 },
  );

  it('every line is answered; the session outlives all of them', async () => {
    const lines = fc.sample(line, { numRuns: 300, seed: 20261205 });
    const p = new CliProcess(['--json', '127.0.0.1', String(server.port)]);
    try {
      p.child.stdin.write(`${lines.join('\n')}\n/quit\n`);
      const r = await p.exited;
      noCrash(r.stderr);
      expect(r.code).toBe(0);
      const events = parseJsonEvents<{ type?: string; command?: string; ok?: boolean }>(r.stdout);
      expect(events.some((e) => e.command === 'quit' && e.ok === true)).toBe(true);
    } finally {
      p.kill();
    }
  }, 120_000);
});
