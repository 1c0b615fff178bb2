import { describe, expect, it } from 'vitest';
import type { Channel } from '../../../src/net/channel.js';
import { openProgram } from '../../../src/net/open.js';
import type { ProgramSpec } from '../../../src/net/program.js';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { descendants, groupMembers, waitUntil } from '../../helpers/processes.js';

/** Programs as channels, with real programs: cat, sh, stty, tty, sleep. */

const cleanups = cleanupAfterEach();

interface Run {
  channel: Channel;
  received(): string;
  closed: Promise<string>;
}

async function start(spec: ProgramSpec): Promise<Run> {
  const channel = await openProgram(spec);
  cleanups.push(() => (channel.closed ? undefined : channel.program?.signal('KILL')));
  const parts: Buffer[] = [];
  channel.on('data', (c) => parts.push(c));
  const closed = new Promise<string>((resolve) => channel.on('close', (reason) => resolve(reason)));
  return { channel, received: () => Buffer.concat(parts).toString(), closed };
}

async function until(run: Run, pattern: RegExp): Promise<void> {
  await waitUntil(() => pattern.test(run.received()), `${pattern} in ${JSON.stringify(run.received())}`);
}

describe('a program on pipes', () => {
  it('is a byte stream: what is sent is its stdin, its stdout arrives; EOF ends it', async () => {
    const run = await start({ argv: ['cat'] });
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    run.channel.send(bytes);
    run.channel.shutdown('write');
    expect(await run.closed).toBe('eof');
    expect(Buffer.from(run.received(), 'latin1').length).toBeGreaterThan(0);
    expect(run.channel.program?.exit).toEqual({ code: 0, signal: null });
  });

  it('passes every byte value unchanged', async () => {
    const channel = await openProgram({ argv: ['cat'] });
    const parts: Buffer[] = [];
    channel.on('data', (c) => parts.push(c));
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) % 256));
    channel.send(bytes);
    channel.shutdown('write');
    await new Promise((r) => channel.on('close', r));
    expect(Buffer.concat(parts).equals(bytes)).toBe(true);
  });

  it('marks standard error, or merges it, as asked', async () => {
    const marked = await start({ argv: ['sh', '-c', 'echo out; echo err >&2'] });
    const chunks: { text: string; stderr: boolean }[] = [];
    marked.channel.on('data', (c) =>
      chunks.push({ text: c.toString(), stderr: marked.channel.program!.isStderr(c) }),
    );
    await marked.closed;
    expect(chunks).toContainEqual({ text: 'out\n', stderr: false });
    expect(chunks).toContainEqual({ text: 'err\n', stderr: true });
    const merged = await start({ argv: ['sh', '-c', 'echo err >&2'], stderr: 'merge' });
    merged.channel.on('data', (c) => expect(merged.channel.program!.isStderr(c)).toBe(false));
    await merged.closed;
    expect(merged.received()).toBe('err\n');
  });

  it('reports exit codes and signals', async () => {
    const three = await start({ argv: ['sh', '-c', 'exit 3'] });
    expect(await three.channel.program!.exited).toEqual({ code: 3, signal: null });
    const sleeper = await start({ argv: ['sleep', '60'] });
    sleeper.channel.program!.signal('TERM');
    expect(await sleeper.channel.program!.exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(await sleeper.closed).toBe('eof');
  });

  it('has no terminal: /dev/tty cannot be opened', async () => {
    const run = await start({
      argv: ['sh', '-c', 'read pw </dev/tty && echo got $pw || echo no tty'],
      stderr: 'merge',
    });
    run.channel.send(Buffer.from('secret\n'));
    await run.closed;
    expect(run.received()).toMatch(/no tty/);
  });

  it('refuses what it cannot run, in one line', async () => {
    await expect(openProgram({ argv: ['no-such-program-here'] })).rejects.toThrow(
      'exec no-such-program-here: ENOENT: no such program on PATH',
    );
    await expect(openProgram({ argv: ['/etc/passwd'] })).rejects.toThrow(/EACCES: not executable/);
  });

  it('close() ends its input, then signals one that goes on: no process is left', async () => {
    const run = await start({ argv: ['sh', '-c', 'trap "" HUP; sleep 60 & sleep 60'] });
    const pid = run.channel.program!.pid;
    await waitUntil(() => groupMembers(pid).length >= 3, 'sh and its two sleeps');
    await run.channel.close();
    expect(await run.closed).toBe('local');
    await waitUntil(() => groupMembers(pid).length === 0, 'the whole group gone');
    expect(descendants(process.pid).filter((p) => p.state === 'Z')).toEqual([]);
  });

  it('reset() signals it at once; what it started goes too', async () => {
    const run = await start({ argv: ['sh', '-c', 'sleep 60 & cat'] });
    const pid = run.channel.program!.pid;
    await waitUntil(() => groupMembers(pid).length >= 2, 'sh and sleep');
    run.channel.reset();
    await run.closed;
    await waitUntil(() => groupMembers(pid).length === 0, 'the whole group gone');
  });

  it('when it exits, a child it left holding the output is hung up: no orphan', async () => {
    const run = await start({ argv: ['sh', '-c', 'sleep 60 & echo started'] });
    const pid = run.channel.program!.pid;
    await until(run, /started/);
    expect(await run.closed).toBe('eof');
    await waitUntil(() => groupMembers(pid).length === 0, 'the orphaned sleep gone');
  });
});

describe('a program on a pseudo-terminal', () => {
  const size = { cols: 120, rows: 40 };

  it("keeps what it wrote last while its reader was paused past node-pty's 200 ms", async () => {
    // node-pty destroys its stream 200 ms after the exit when the end was not read: paused here
    // until the exit is reported, all of the output must still come (node-pty issue 726).
    const run = await start({ argv: ['sh', '-c', 'head -c 3000 /dev/zero | tr "\\000" x'], pty: size });
    run.channel.pause();
    await waitUntil(() => run.channel.program!.exit !== undefined, 'the exit reported');
    run.channel.resume();
    await run.closed;
    expect(run.received()).toBe('x'.repeat(3000));
  });

  it('ends though a program it left behind writes without pause: that one is hung up', async () => {
    const run = await start({ argv: ['sh', '-c', 'yes & exit 0'], pty: size });
    const pid = run.channel.program!.pid;
    await run.closed;
    expect(run.channel.program!.exit).toEqual({ code: 0, signal: null });
    await waitUntil(() => groupMembers(pid).length === 0, 'yes gone with the hang-up');
  });

  it('is a terminal: tty names /dev/pts/N, stty size is the size asked', async () => {
    const run = await start({ argv: ['sh', '-c', 'tty; stty size'], pty: size });
    await run.closed;
    expect(run.received()).toMatch(/^\/dev\/pts\/\d+\r\n40 120\r\n$/);
    expect(run.channel.program!.pty).toMatchObject({
      cols: 120,
      rows: 40,
      tty: expect.stringMatching(/^\/dev\/pts\//),
    });
  });

  it('reads a password from /dev/tty (without echo)', async () => {
    const script =
      'stty -echo </dev/tty; printf "Password: "; read pw </dev/tty; stty echo </dev/tty; echo; echo "got $pw"';
    const run = await start({ argv: ['sh', '-c', script], pty: size });
    await until(run, /Password: /);
    run.channel.send(Buffer.from('hunter2\r'));
    await run.closed;
    expect(run.received()).toMatch(/got hunter2/);
    expect(run.received()).not.toMatch(/Password: hunter2/);
  });

  it('Ctrl-C (0x03) interrupts the program in the foreground', async () => {
    const run = await start({ argv: ['sh', '-c', 'echo ready; sleep 60; echo after'], pty: size });
    await until(run, /ready/);
    // Not before `sleep` runs: a SIGINT that reaches sh while it starts sleep is acted on only once
    // sleep has ended, 60 s later (dash holds interrupts off while it forks; 1 in 40 tries here).
    const pid = run.channel.program!.pid;
    await waitUntil(() => groupMembers(pid).some((p) => p.comm === 'sleep'), 'sleep running');
    run.channel.send(Buffer.from([0x03]));
    const exit = await run.channel.program!.exited;
    expect(exit).toEqual({ code: null, signal: 'SIGINT' });
    expect(run.received()).not.toMatch(/after/);
  });

  it('resizes: the program sees the new size (SIGWINCH)', async () => {
    const run = await start({ argv: ['sh', '-c', 'read x; stty size'], pty: size });
    run.channel.program!.resize(100, 30);
    run.channel.send(Buffer.from('go\r'));
    await run.closed;
    expect(run.received()).toMatch(/30 100/);
    expect(() => run.channel.program!.resize(0, 10)).toThrow(/not a terminal size/);
  });

  it('shutdown(write) types EOF (Ctrl-D), as a terminal would', async () => {
    const run = await start({ argv: ['cat'], pty: size });
    run.channel.send(Buffer.from('line\r'));
    await until(run, /line\r\nline\r\n/);
    run.channel.shutdown('write');
    expect(await run.closed).toBe('eof');
    expect(run.channel.program!.exit).toEqual({ code: 0, signal: null });
  });

  it('is not hung up on its way out when it closes the terminal before it exits', async () => {
    // Its end of the terminal closed, the master reads EIO; a master closed then would hang the
    // terminal up and kill it with SIGHUP (on a busy machine, `cat` between its last close and exit).
    const run = await start({ argv: ['sh', '-c', 'exec 0<&- 1>&- 2>&-; sleep 0.5; exit 7'], pty: size });
    run.channel.on('data', () => {});
    expect(await run.channel.program!.exited).toEqual({ code: 7, signal: null });
    expect(await run.closed).toBe('eof');
  });

  it('reset() hangs up the terminal: a shell and its jobs go', async () => {
    const run = await start({ argv: ['sh', '-c', 'sleep 60 & sleep 60'], pty: size });
    const pid = run.channel.program!.pid;
    await waitUntil(() => groupMembers(pid).length >= 3, 'sh and its sleeps');
    run.channel.reset();
    expect((await run.channel.program!.exited).signal).toBe('SIGHUP');
    await waitUntil(() => groupMembers(pid).length === 0, 'the whole group gone');
  });
});
