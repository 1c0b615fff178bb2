import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { CliProcess, runCli } from '../../helpers/cli.js';
import { parseJsonEvents } from '../../helpers/json-events.js';
import { waitUntil } from '../../helpers/processes.js';

/** `sockrepl exec`: a local program as the connection, in pipe mode and with --json. */

const cleanups = cleanupAfterEach();

function events(out: Buffer): Record<string, unknown>[] {
  return parseJsonEvents<Record<string, unknown>>(out);
}

describe('sockrepl exec in pipe mode', () => {
  it('is as if the program ran here: stdin in, stdout out, EOF closes its input', async () => {
    const r = await runCli(['exec', '--', 'cat', '-n'], 'hello\nworld\n');
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe('     1\thello\n     2\tworld\n');
  });

  it("passes the program's own options after its name, and its stderr to ours", async () => {
    const r = await runCli(['exec', 'sh', '-c', 'cat; echo oops >&2'], 'x');
    expect({ out: r.stdout.toString(), err: r.stderr }).toEqual({ out: 'x', err: 'oops\n' });
  });

  it('--stderr merge puts its standard error into the output', async () => {
    const r = await runCli(['exec', '--stderr', 'merge', 'sh', '-c', 'echo oops >&2'], '');
    expect({ out: r.stdout.toString(), err: r.stderr }).toEqual({ out: 'oops\n', err: '' });
  });

  it('a missing program is one line and exit 2', async () => {
    const r = await runCli(['exec', 'no-such-program-here']);
    expect({ code: r.code, stderr: r.stderr }).toEqual({
      code: 2,
      stderr: 'sockrepl: exec no-such-program-here: ENOENT: no such program on PATH\n',
    });
  });

  it('--pty: tty names a /dev/pts/N, stty size follows --pty-size', async () => {
    const r = await runCli(['exec', '--pty', '--pty-size', '132x43', 'sh', '-c', 'tty; stty size']);
    expect(r.stdout.toString()).toMatch(/^\/dev\/pts\/\d+\r\n43 132\r\n$/);
  });

  it('refuses socket and pty options that do not fit', async () => {
    const nodelay = await runCli(['exec', '--nodelay', 'cat']);
    expect({ code: nodelay.code, stderr: nodelay.stderr }).toEqual({
      code: 2,
      stderr: expect.stringMatching(/--nodelay applies to connect, listen, proxy and run, not exec/),
    });
    const size = await runCli(['exec', '--pty-size', '80x24', 'cat']);
    expect(size.stderr).toBe('sockrepl: --pty-size: give --pty too\n');
    const bad = await runCli(['exec', '--pty', '--pty-size', '80by24', 'cat']);
    expect(bad.stderr).toMatch(/--pty-size: '80by24' is not a terminal size/);
    const mark = await runCli(['exec', '--pty', '--stderr', 'mark', 'cat']);
    expect(mark.stderr).toMatch(/a terminal has one output stream/);
  });
});

describe('sockrepl exec --json', () => {
  it('reports open with the PID, stderr marked, and the exit code', async () => {
    const r = await runCli(['exec', '--json', 'sh', '-c', 'echo out; echo err >&2; exit 7']);
    const ev = events(r.stdout);
    const open = ev.find((e) => e.type === 'open')!;
    expect(open).toMatchObject({ proto: 'exec', argv: ['sh', '-c', 'echo out; echo err >&2; exit 7'] });
    expect(open.pid).toEqual(expect.any(Number));
    expect(ev.filter((e) => e.type === 'data').map((e) => [e.text, e.stream])).toEqual(
      expect.arrayContaining([
        ['out\n', undefined],
        ['err\n', 'stderr'],
      ]),
    );
    const exit = ev.find((e) => e.type === 'exit');
    expect(exit).toMatchObject({ pid: open.pid, code: 7, signal: null });
    // The exit comes before the connection's close.
    expect(ev.findIndex((e) => e.type === 'exit')).toBeLessThan(ev.findIndex((e) => e.type === 'close'));
  });

  it('/signal ends it and the exit event names the signal; /close closes its input', async () => {
    const p = new CliProcess(['exec', '--json', 'sh', '-c', 'echo ready; cat; sleep 60']);
    cleanups.push(() => p.kill());
    await p.waitForStdout((out) => out.includes('"ready\\n"'));
    p.child.stdin.write('hello\n/close\n');
    await p.waitForStdout((out) => out.includes('its standard input closed'));
    p.child.stdin.write('/signal TERM\n');
    await waitUntil(() => p.stdout.includes('"type":"exit"'), 'the exit event');
    p.child.stdin.end();
    const r = await p.exited;
    const ev = events(r.stdout);
    expect(ev.find((e) => e.type === 'exit')).toMatchObject({ code: null, signal: 'SIGTERM' });
    expect(
      ev
        .filter((e) => e.type === 'data' && e.dir === 'in')
        .map((e) => e.text)
        .join(''),
    ).toBe('ready\nhello\n');
    expect(r.code).toBe(0);
  });

  it('/resize on a pty, and /signal with a bad name, say so', async () => {
    const p = new CliProcess([
      'exec',
      '--json',
      '--pty',
      '--pty-size',
      '80x24',
      'sh',
      '-c',
      'read x; stty size',
    ]);
    cleanups.push(() => p.kill());
    p.child.stdin.write('/resize 100x30\n/signal NOPE\ngo\n');
    await waitUntil(() => p.stdout.includes('30 100'), 'the new size');
    p.child.stdin.end();
    const ev = events((await p.exited).stdout);
    expect(ev.find((e) => e.type === 'result' && e.command === 'resize')).toMatchObject({
      lines: ['connection 1: terminal is 100x30 now'],
    });
    expect(ev.find((e) => e.type === 'error' && e.command === 'signal')).toMatchObject({
      message: expect.stringMatching(/'NOPE' is not a signal/),
    });
  });
});
