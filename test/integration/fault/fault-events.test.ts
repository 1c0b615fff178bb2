import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { CliProcess } from '../../helpers/cli.js';
import { parseJsonEvents } from '../../helpers/json-events.js';
import { startServer, type TestServer } from '../../helpers/session-fixtures.js';

const cleanups = cleanupAfterEach();

async function serve(): Promise<TestServer> {
  const s = await startServer();
  cleanups.push(() => s.close());
  return s;
}

const jsonLines = (out: Buffer) => parseJsonEvents<Record<string, unknown>>(out);

describe('fault events: every fault that acts says what it did', () => {
  it('--json: a fault event per act, /fault stats counts them', async () => {
    const server = await serve();
    const p = new CliProcess([
      '--json',
      '--fault',
      'delay:100ms,dir=out',
      '--fault',
      'fragment:2,gap=0,dir=out',
      '127.0.0.1',
      String(server.port),
    ]);
    cleanups.push(() => p.kill());
    await p.waitForStdout((o) => o.includes('"type":"open"'));
    p.child.stdin.write('hello\n');
    await server.waitFor('hello\n');
    p.child.stdin.write('/fault stats\n');
    await p.waitForStdout((o) => o.includes('"command":"fault"'));
    p.child.stdin.end('/quit\n');
    await p.exited;
    const lines = jsonLines(p.stdout);
    const faults = lines.filter((l) => l.type === 'fault');
    expect(faults[0]).toMatchObject({ conn: 1, dir: 'out', fault: 'delay', id: 1, kind: 'delayed' });
    expect(faults[0]!.action).toMatch(/^delayed \d+ ms$/);
    expect(Number(/\d+/.exec(String(faults[0]!.action))![0])).toBeGreaterThanOrEqual(99);
    expect(faults[1]).toMatchObject({
      conn: 1,
      dir: 'out',
      fault: 'fragment',
      id: 2,
      // A busy machine may hold the first piece a millisecond or more: that is said too.
      action: expect.stringMatching(/^cut into 3 writes(, delayed \d+ ms)?$/),
    });
    const stats = lines.find((l) => l.type === 'result' && l.command === 'fault');
    expect(stats).toMatchObject({
      data: {
        stats: [
          { id: 1, spec: 'delay:100ms,dir=out', total: 1, kinds: { delayed: 1 }, active: true },
          { id: 2, spec: 'fragment:2,gap=0,dir=out', total: 1, kinds: { cut: 1 }, active: true },
        ],
      },
    });
    expect(stats!.lines).toEqual([
      '#1 delay:100ms,dir=out: 1 act (delayed 1)',
      '#2 fragment:2,gap=0,dir=out: 1 act (cut 1)',
    ]);
  });

  it('--json: a reset fault reports the reset', async () => {
    const server = await serve();
    const p = new CliProcess(['--json', '--fault', 'reset:after=3', '127.0.0.1', String(server.port)]);
    cleanups.push(() => p.kill());
    await p.waitForStdout((o) => o.includes('"type":"open"'));
    p.child.stdin.write('abcdef\n');
    await p.waitForStdout((o) => o.includes('"type":"close"'));
    p.child.stdin.end();
    await p.exited;
    const faults = jsonLines(p.stdout).filter((l) => l.type === 'fault');
    expect(faults).toContainEqual(
      expect.objectContaining({ fault: 'reset', kind: 'reset', action: 'reset' }),
    );
  });

  it('-v in pipe mode: a line per act on standard error', async () => {
    const server = await serve();
    const p = new CliProcess(['-v', '--fault', 'fragment:3,gap=0', '127.0.0.1', String(server.port)]);
    cleanups.push(() => p.kill());
    p.child.stdin.write('abcdefg');
    await server.waitFor('abcdefg');
    // On a busy machine the first piece may leave a millisecond or more after it came: said too.
    await p.waitForStderr(/^fault: connection 1: #1 fragment out: cut into 3 writes(, delayed \d+ ms)?$/m);
  });
});

describe('content-triggered faults on real sockets', () => {
  it('reset,when=/LOGIN/: chunks before the match pass, the match passes, then the RST', async () => {
    const server = await serve();
    const p = new CliProcess([
      '--json',
      '--fault',
      'reset,when=/LOGIN/,dir=out',
      '127.0.0.1',
      String(server.port),
    ]);
    cleanups.push(() => p.kill());
    await p.waitForStdout((o) => o.includes('"type":"open"'));
    p.child.stdin.write('hello\n');
    await server.waitFor('hello\n');
    // A chunk without the match passes untouched: the connection is still open after it.
    p.child.stdin.write('/info\n');
    await p.waitForStdout((o) => o.includes('"command":"info"'), 30_000);
    expect(p.stdout.toString()).not.toMatch(/"type":"(fault|close)"/);
    p.child.stdin.write('LOGIN alice\n');
    await p.waitForStdout((o) => o.includes('"type":"close"'), 30_000);
    p.child.stdin.end('/quit\n');
    await p.exited;
    const lines = jsonLines(p.stdout);
    expect(lines.find((l) => l.type === 'fault')).toMatchObject({ fault: 'reset', action: 'reset' });
    expect(lines.find((l) => l.type === 'close')).toMatchObject({ conn: 1 });
    expect(Buffer.concat(server.received).toString()).toMatch(/^hello\n/);
  }, 60_000);
});
