import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hexdump } from '../../src/codec/hexdump.js';

/** `sockrepl decode` and `sockrepl pack` as a user runs them: the built CLI in a child process. */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'sockrepl.js');
const ENTRY = join(ROOT, 'dist', 'src', 'cli', 'commands', 'decode.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function run(args: string[], input?: Uint8Array | string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    input,
    env: { ...process.env, ...env },
    timeout: 60_000,
    maxBuffer: 512 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, out: r.stdout.toString('utf8'), err: r.stderr.toString('utf8') };
}

let dir: string;

beforeAll(() => {
  // Build if dist/ is missing or older than the code under test.
  const built = (() => {
    try {
      return statSync(ENTRY).mtimeMs;
    } catch {
      return 0;
    }
  })();
  const sources = Math.max(newestSource(join(ROOT, 'src', 'codec')), newestSource(join(ROOT, 'src', 'cli')));
  if (built < sources) spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore', timeout: 180_000 });
  dir = mkdtempSync(join(tmpdir(), 'sockrepl-decode-'));
}, 200_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('sockrepl decode', () => {
  it('unpacks a struct to the JSON of the issue', () => {
    const r = run(['decode', '--struct', '<I3sf', '--json', '01000000616263cdcc2c40']);
    expect(r).toMatchObject({ code: 0, out: '[1,"616263",2.700000047683716]\n', err: '' });
  });

  it('keeps 64-bit integers exact in JSON and writes ? as booleans', () => {
    const r = run(['decode', '--struct', '<Qq?', '--json', 'ffffffffffffffff 0100000000000000 01']);
    expect(r.out).toBe('["18446744073709551615",1,true]\n');
  });

  it('prints a struct as a table of offsets, codes and Python values', () => {
    const r = run(['decode', '--struct', '<I3sf', '01000000616263cdcc2c40']);
    expect(r.out).toBe(
      "offset  type  value\n0       I     1\n4       3s    b'abc'\n7       f     2.700000047683716\n",
    );
  });

  it('uses --endian for formats without a byte order, big by default', () => {
    expect(run(['decode', '--struct', 'H', '--json', '0102']).out).toBe('[258]\n');
    expect(run(['decode', '--struct', 'H', '--endian', 'le', '--json', '0102']).out).toBe('[513]\n');
  });

  it('notes bytes the format does not cover, and rejects too few', () => {
    const more = run(['decode', '--struct', '>H', '--json', '010203']);
    expect(more.code).toBe(0);
    expect(more.out).toBe('[258]\n');
    expect(more.err).toMatch(/1 more byte follow/);
    const less = run(['decode', '--struct', '>I', '0102']);
    expect(less.code).toBe(2);
    expect(less.err).toBe('sockrepl: decode: unpack requires a buffer of 4 bytes (got 2)\n');
  });

  it('hex-dumps hex arguments in any spelling', () => {
    const want = hexdump(Buffer.from('deadbeef', 'hex'));
    expect(run(['decode', 'deadbeef']).out).toBe(want);
    expect(run(['decode', 'de', 'ad', 'be', 'ef']).out).toBe(want);
    expect(run(['decode', '0xde 0xad 0xbe 0xef']).out).toBe(want);
    expect(run(['decode', '\\xde\\xad\\xbe\\xef']).out).toBe(want);
  });

  it('dumps a file of several blocks exactly as the library does', () => {
    const parts = [
      randomBytes(1_500_000),
      Buffer.from('世界 text '.repeat(50_000)),
      Buffer.alloc(300_000),
      randomBytes(77),
    ];
    const data = Buffer.concat(parts);
    const file = join(dir, 'mixed.bin');
    writeFileSync(file, data);
    const r = run(['decode', '--file', file]);
    expect(r.code).toBe(0);
    expect(r.out === hexdump(data)).toBe(true);
    // The synopsis `decode [hex-or-file]`: a path that is not hex is read as a file.
    expect(run(['decode', file]).out === r.out).toBe(true);
  });

  // Its work grows with a busy machine (a thread per block and the file twice over), not its
  // answer: the bound is generous, the data just over the four blocks that make the CLI split.
  it('dumps a large file on several threads exactly as on one', { timeout: 120_000 }, () => {
    // Block boundaries fall every 1 MiB (a multiple of 16 and of 5 columns' block size): put a
    // UTF-8 character, a squeezed run and a non-printable character across them.
    const mib = 1 << 20;
    const data = randomBytes(4 * mib + 1234);
    Buffer.from('世', 'utf8').copy(data, mib - 1);
    data.fill(0, 2 * mib - 40, 2 * mib + 64);
    Buffer.from('\u0085', 'utf8').copy(data, 3 * mib - 1);
    Buffer.from('😀', 'utf8').copy(data, 4 * mib - 2);
    const file = join(dir, 'parallel.bin');
    writeFileSync(file, data);
    const threads = { SOCKREPL_HEXDUMP_THREADS: '2' };
    const variants: [string[], Parameters<typeof hexdump>[1]][] = [
      [[], {}],
      [
        ['-c', '5', '--no-squeeze', '-e', 'latin1', '-g', '4'],
        { columns: 5, squeeze: false, encoding: 'latin1', group: 4 },
      ],
      [['-s', '100', '-n', String(4 * mib + 7)], { startOffset: 100 }],
    ];
    for (const [args, options] of variants) {
      const r = run(['decode', '--file', file, ...args], undefined, threads);
      const slice = options?.startOffset ? data.subarray(100, 100 + 4 * mib + 7) : data;
      expect({ args, code: r.code, err: r.err }).toEqual({ args, code: 0, err: '' });
      expect(r.out === hexdump(slice, options), `output of ${args.join(' ')}`).toBe(true);
    }
  });

  it('splits any dump across threads exactly as one thread dumps it', { timeout: 120_000 }, async () => {
    // The parallel dump in-process with blocks of a few KiB, so that little data makes many
    // blocks, with characters, repeated lines and dots across their boundaries.
    const { dumpInParallel } = await import(join(ROOT, 'dist', 'src', 'codec', 'hexdump-parallel.js'));
    const piece = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 3000 }),
      fc.constantFrom(
        Buffer.alloc(700),
        Buffer.from('世界 naïve 😀 ☰\u0085'.repeat(40)),
        Buffer.alloc(333, 0x41),
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(piece, { minLength: 4, maxLength: 12 }),
        fc.record({
          columns: fc.constantFrom(16, 5, 32, 3),
          encoding: fc.constantFrom('utf8', 'latin1', false as const),
          squeeze: fc.boolean(),
        }),
        fc.nat({ max: 50 }),
        async (pieces, options, skip) => {
          const data = Buffer.concat(pieces);
          const start = Math.min(skip, data.length);
          const parts: Buffer[] = [];
          const source = {
            read: async (at: number, n: number, into: Uint8Array) => {
              const bytes = data.subarray(at, at + n);
              into.set(bytes);
              return bytes.length;
            },
          };
          const sink = { closed: false, write: async (c: Uint8Array) => void parts.push(Buffer.from(c)) };
          await dumpInParallel({ ...options, startOffset: start }, source, start, data.length, sink, 2, {
            blockBytes: 1024,
          });
          const want = hexdump(data.subarray(start), { ...options, startOffset: start });
          expect(Buffer.concat(parts).toString('utf8') === want).toBe(true);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('dumps the same without WebAssembly (node --jitless): every line the general way', () => {
    const data = Buffer.concat([randomBytes(70_000), Buffer.from('naïve 世界 😀\n'.repeat(300))]);
    const file = join(dir, 'jitless.bin');
    writeFileSync(file, data);
    const r = run(['decode', '--file', file], undefined, {
      NODE_OPTIONS: '--jitless',
      SOCKREPL_HEXDUMP_THREADS: '2',
    });
    expect({ code: r.code, same: r.out === hexdump(data) }).toEqual({ code: 0, same: true });
  });

  it('dumps a slice with --skip and --length, with file offsets', () => {
    const data = randomBytes(300);
    const file = join(dir, 'slice.bin');
    writeFileSync(file, data);
    const r = run(['decode', '--file', file, '-s', '0x10', '-n', '40']);
    expect(r.out).toBe(hexdump(data.subarray(16, 56), { startOffset: 16 }));
    const tail = run(['decode', '--file', file, '--skip=-20']);
    expect(tail.out).toBe(hexdump(data.subarray(280), { startOffset: 280 }));
  });

  it('reads standard input with -', () => {
    const data = Buffer.concat([Buffer.from('GET / HTTP/1.1\r\n\r\n'), randomBytes(5000)]);
    expect(run(['decode', '-'], data).out).toBe(hexdump(data));
    const gbk = iconv.encode('中文'.repeat(40_000), 'gbk');
    expect(run(['decode', '--text', '-e', 'gbk', '-'], gbk).out).toBe('中文'.repeat(40_000));
    expect(run(['decode', '--text', '-s', '2', '-n', '3', '-'], 'abcdef').out).toBe('cde');
    // A pipe given as a file is read in order, never by position (a shell pipe: spawnSync's
    // input is a socket, which /dev/stdin cannot open).
    const piped = spawnSync('bash', [
      '-c',
      `printf abcdefgh | "${process.execPath}" "${BIN}" decode --file /dev/stdin -s 2 -n 3`,
    ]);
    expect(piped.stdout.toString()).toBe(hexdump(Buffer.from('cde'), { startOffset: 2 }));
    expect(run(['decode', '-', '-c', '8', '-g', '2', '--no-squeeze'], data).out).toBe(
      hexdump(data, { columns: 8, group: 2, squeeze: false }),
    );
  });

  it('decodes the text column and --text in any encoding', () => {
    const gbk = iconv.encode('中文 GBK 文本\n', 'gbk');
    const file = join(dir, 'gbk.txt');
    writeFileSync(file, Buffer.concat(Array.from({ length: 100_000 }, () => gbk)));
    const text = run(['decode', '--text', '-e', 'gbk', '--file', file]);
    expect(text.code).toBe(0);
    expect(text.out).toBe('中文 GBK 文本\n'.repeat(100_000));
    expect(run(['decode', '-e', 'gbk', gbk.toString('hex')]).out).toBe(hexdump(gbk, { encoding: 'gbk' }));
    expect(run(['decode', '--text', '--json', '-e', 'shift_jis', '93fa967b']).out).toBe(
      '{"length":4,"text":"日本"}\n',
    );
  });

  it('prints the inspector at an offset, negative from the end', () => {
    const table = run(['decode', '--inspect', '0', '0100']);
    expect(table.out).toMatch(/^offset 0 \(0x0\), 2 bytes from there\ntype +big-endian +little-endian\n/);
    expect(table.out).toMatch(/\nuint16 +256 +1\n/);
    expect(table.out).toMatch(/\nuint32 +needs 4 bytes, 2 bytes left\n/);
    const json = JSON.parse(run(['decode', '--inspect', '-2', '--endian', 'le', '--json', 'ff0100']).out);
    expect(json).toMatchObject({ offset: 1, left: 2, endian: 'le' });
    expect(json.rows.find((r: { name: string }) => r.name === 'uint16')).toMatchObject({
      value: '1',
      be: '256',
      le: '1',
    });
  });

  it('inspects a window of a large file without reading all of it', () => {
    const file = join(dir, 'inspect.bin');
    const data = randomBytes(100_000);
    data.writeUInt32BE(0xdeadbeef, 90_000);
    writeFileSync(file, data);
    const json = JSON.parse(run(['decode', '--file', file, '--inspect', '90000', '--json']).out);
    expect(json.rows.find((r: { name: string }) => r.name === 'uint32').be).toBe(String(0xdeadbeef));
    expect(json.left).toBe(10_000);
  });

  it('outputs the bytes and text as JSON', () => {
    expect(JSON.parse(run(['decode', '--json', '68690a']).out)).toEqual({
      offset: 0,
      length: 3,
      hex: '68690a',
      text: 'hi\n',
    });
  });

  it('stops quietly when the reader goes away', () => {
    const file = join(dir, 'big.bin');
    writeFileSync(file, randomBytes(8_000_000));
    const r = spawnSync(
      'bash',
      [
        '-c',
        `set -o pipefail; "${process.execPath}" "${BIN}" decode --file "${file}" | head -c 100 >/dev/null`,
      ],
      {
        timeout: 60_000,
      },
    );
    expect(r.stderr.toString()).toBe('');
    expect(r.status).toBe(0);
  });

  it('gives one clear line and exit 2 for bad input', () => {
    const cases: [string[], string][] = [
      [['decode', 'de ad gx'], "sockrepl: decode: bad hex at column 7: 'g'\n"],
      [
        ['decode', '-e', 'gbkk', '00'],
        "sockrepl: decode: unknown encoding 'gbkk' (did you mean gbk, xgbk?)\n",
      ],
      [
        ['decode', '-e', 'hex', '00'],
        'sockrepl: decode: hex is not a character encoding; pick one for text (utf8, latin1, gbk...)\n',
      ],
      [
        ['decode', '--text', '-e', 'base64', '00'],
        'sockrepl: decode: base64 is not a character encoding; pick one for text (utf8, latin1, gbk...)\n',
      ],
      [
        ['decode', '--struct', '<z', '00'],
        "sockrepl: decode: bad char in struct format: 'z' at position 1\n",
      ],
      [
        ['decode', '--text', '--struct', 'B', '00'],
        'sockrepl: decode: --text and --struct cannot be combined; pick one\n',
      ],
      [['decode', '--inspect', '5', '00'], 'sockrepl: decode: --inspect 5 is outside the 1 bytes given\n'],
      [['decode', '-c', '0', '00'], 'sockrepl: decode: --columns: 0 is out of range (1..256)\n'],
    ];
    for (const [args, message] of cases) {
      const r = run(args);
      expect({ args, code: r.code, err: r.err }).toEqual({ args, code: 2, err: message });
    }
  });

  it('exits 1 for a file it cannot read', () => {
    const r = run(['decode', '--file', join(dir, 'nope.bin')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^sockrepl: decode: cannot read .*nope\.bin: ENOENT: no such file\n$/);
    for (const mode of [[], ['--text'], ['--inspect', '0'], ['--struct', '<I']]) {
      const d = run(['decode', ...mode, '--file', dir]);
      expect({ mode, code: d.code, err: d.err }).toEqual({
        mode,
        code: 1,
        err: `sockrepl: decode: cannot read ${dir}: EISDIR: is a directory\n`,
      });
    }
  });
});

describe('sockrepl pack', () => {
  it('prints lowercase hex', () => {
    expect(run(['pack', '>HI', '1', '0xdeadbeef'])).toMatchObject({
      code: 0,
      out: '0001deadbeef\n',
      err: '',
    });
    expect(run(['pack', '<I3sf', '1', 'abc', '2.7']).out).toBe('01000000616263cdcc2c40\n');
    expect(run(['pack', '>Q', '18446744073709551615']).out).toBe('ffffffffffffffff\n');
    expect(run(['pack', '>4s?', 'hex:00ff', 'true']).out).toBe('00ff000001\n');
    expect(run(['pack', '>3s', 'a\\x00b']).out).toBe('610062\n');
  });

  it('takes negative numbers as values', () => {
    expect(run(['pack', '<h', '-5']).out).toBe('fbff\n');
    expect(run(['pack', '<hd', '-5', '-0.5']).out).toBe('fbff000000000000e0bf\n');
    expect(run(['pack', '--', '<b', '-1']).out).toBe('ff\n');
  });

  it('writes raw bytes with --raw', () => {
    const r = run(['pack', '--raw', '<I', '1']);
    expect([...r.stdout]).toEqual([1, 0, 0, 0]);
  });

  it('follows --endian and -e', () => {
    expect(run(['pack', '--endian', 'le', 'H', '1']).out).toBe('0100\n');
    expect(run(['pack', '-e', 'gbk', '2s', '中']).out).toBe('d6d0\n');
  });

  it('gives one clear line and exit 2 for bad input', () => {
    const cases: [string[], string][] = [
      [
        ['pack', '>B', '256'],
        'sockrepl: pack: ubyte format requires 0 <= number <= 255 (argument 1 is 256)\n',
      ],
      [['pack', '>HI', '1'], "sockrepl: pack: format '>HI' takes 2 values, got 1\n"],
      [
        ['pack', '>I', 'ten'],
        "sockrepl: pack: value 1 ('ten') for 'I' is not an integer (use decimal or 0x hex)\n",
      ],
      [['pack', '>e', '1e6'], 'sockrepl: pack: float too large to pack with e format\n'],
      [['pack', '3'], 'sockrepl: pack: repeat count given without format specifier\n'],
      [
        ['pack', '>I', '1', '--rwa'],
        "sockrepl: pack: unknown option '--rwa' (put options before the values, or -- before values)\n",
      ],
      [
        ['pack', '-e', 'latin1', '2s', '中'],
        "sockrepl: pack: value 1 for 's': '中' (U+4E2D) at column 1 cannot be encoded in latin1\n",
      ],
      [
        ['pack', '9999999999999x'],
        'sockrepl: pack: cannot pack 9999999999999 bytes: one pack makes at most 64 MiB\n',
      ],
    ];
    for (const [args, message] of cases) {
      const r = run(args);
      expect({ args, code: r.code, err: r.err }).toEqual({ args, code: 2, err: message });
    }
  });
});
