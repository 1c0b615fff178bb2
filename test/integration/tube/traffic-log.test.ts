import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connect, listen, spawn, UsageError } from '../../../src/index.js';

// The `log` option of the library's tubes, on real loopback sockets: both directions' bytes as
// `-x` dumps them, in the order they crossed, and a file written out when the tube closes.

const dirs: string[] = [];
const logPath = () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockrepl-log-'));
  dirs.push(dir);
  return join(dir, 'traffic.log');
};
const savedEnv = process.env.SOCKREPL_LOG;
afterEach(() => {
  if (savedEnv === undefined) delete process.env.SOCKREPL_LOG;
  else process.env.SOCKREPL_LOG = savedEnv;
});

/** The header lines (`>` sent, `<` received) with their lengths, and every hex byte logged in order. */
function parse(log: string) {
  // A run of chunks one way is one entry: how TCP cut a message does not matter, its order does.
  const headers: string[] = [];
  let last: { dir: string; len: number } | undefined;
  for (const l of log.split('\n').filter((x) => /^[<>] /.test(x))) {
    const len = Number(/length=(\d+)/.exec(l)![1]);
    if (last && last.dir === l[0]) last.len += len;
    else headers.push(...(last ? [`${last.dir} ${last.len}`] : []));
    if (last?.dir !== l[0]) last = { dir: l[0]!, len };
  }
  if (last) headers.push(`${last.dir} ${last.len}`);
  const hexLines = log.split('\n').filter((l) => /^[0-9a-f]{8} {2}/.test(l));
  const hex = hexLines.map((l) => l.slice(10, l.indexOf('|')).replace(/\s+/g, '')).join('');
  return { headers, hex };
}

/** Bytes logged each way, whatever the connection. */
function totals(log: string): Record<string, number> {
  const out: Record<string, number> = { '>': 0, '<': 0 };
  for (const m of log.matchAll(/^([<>]) \S+ conn=\d+ length=(\d+)$/gm)) out[m[1]!]! += Number(m[2]);
  return out;
}

/** Echo server answering each line with `re:` + line; the client sends three lines in turn. */
async function converse(options: Parameters<typeof connect>[2]) {
  await using server = await listen(0, { host: '127.0.0.1' });
  const serving = (async () => {
    const peer = await server.accept();
    for (let i = 0; i < 3; i++) await peer.send(`re:${(await peer.recvLine()).toString()}`);
    await peer.recvAll();
    await peer.close();
  })();
  const c = await connect('127.0.0.1', server.port, options);
  for (const word of ['one', 'two', 'three']) {
    await c.sendLine(word);
    expect((await c.recvLine()).toString()).toBe(`re:${word}\n`);
  }
  await c.close();
  await serving;
}

describe('connect(..., { log })', () => {
  it('writes both directions to a file, in order, flushed by close()', async () => {
    const path = logPath();
    await converse({ log: path, timeout: '10s' });
    const log = readFileSync(path, 'utf8');
    const { headers, hex } = parse(log);
    expect(headers).toEqual(['> 4', '< 7', '> 4', '< 7', '> 6', '< 9']);
    expect(Buffer.from(hex, 'hex').toString()).toBe('one\nre:one\ntwo\nre:two\nthree\nre:three\n');
    expect(log).toMatch(/^# \S+ conn=\d+ tcp 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+\n/);
    expect(log).toMatch(/\n# \S+ conn=\d+ closed \(local\)\n$/);
    expect(log).toContain('|one.|');
  });

  it('writes to a stream', async () => {
    const sink = new PassThrough();
    let text = '';
    sink.on('data', (d: Buffer) => {
      text += d.toString();
    });
    await converse({ log: sink });
    expect(parse(text).headers).toHaveLength(6);
  });

  it('SOCKREPL_LOG=debug sends every library tube to standard error; a path to that file', async () => {
    const path = logPath();
    process.env.SOCKREPL_LOG = path;
    await converse({});
    // Both the client's and the server's tubes log there: each side's 37 bytes out and in.
    expect(totals(readFileSync(path, 'utf8'))).toEqual({ '>': 37, '<': 37 });

    process.env.SOCKREPL_LOG = 'debug';
    let text = '';
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: string, cb?: () => void) => {
      text += chunk;
      cb?.();
      return true;
    }) as typeof process.stderr.write);
    try {
      await converse({ log: undefined });
    } finally {
      spy.mockRestore();
    }
    expect(totals(text)).toEqual({ '>': 37, '<': 37 });
    expect(text).toMatch(/^> \S+ conn=\d+ length=4\n00000000 {2}6f 6e 65 0a /m);
  });

  it('a path that cannot be opened is a one-line usage error before connecting', async () => {
    const bad = join(logPath(), 'no', 'such', 'dir.log');
    await expect(connect('127.0.0.1', 1, { log: bad })).rejects.toThrow(UsageError);
    await expect(connect('127.0.0.1', 1, { log: bad })).rejects.toThrow(/^log: cannot open .*: ENOENT$/);
  });
});

describe('listen(..., { log }) and spawn(..., { log })', () => {
  it("logs every accepted client's traffic to one file, closed with the listener", async () => {
    const path = logPath();
    const server = await listen(0, { host: '127.0.0.1', log: path });
    for (const word of ['a', 'b']) {
      const c = await connect('127.0.0.1', server.port, { log: false });
      const peer = await server.accept();
      await c.send(word);
      expect((await peer.recvExactly(1)).toString()).toBe(word);
      await peer.send(word.toUpperCase());
      await c.recvExactly(1);
      await c.close();
      await peer.recvAll();
      await peer.close();
    }
    await server.close();
    const { headers, hex } = parse(readFileSync(path, 'utf8'));
    expect(headers).toEqual(['< 1', '> 1', '< 1', '> 1']);
    expect(Buffer.from(hex, 'hex').toString()).toBe('aAbB');
  });

  it("logs a program's input and output", async () => {
    const path = logPath();
    const p = await spawn('cat', [], { log: path });
    await p.send('hello\n');
    await p.recvLine();
    await p.close();
    const { headers, hex } = parse(readFileSync(path, 'utf8'));
    expect(headers).toEqual(['> 6', '< 6']);
    expect(Buffer.from(hex, 'hex').toString()).toBe('hello\nhello\n');
  });
});
