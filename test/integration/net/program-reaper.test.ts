import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { openProgram } from '../../../src/net/open.js';
import { liveGroups, signalOrphans } from '../../../src/net/program-reaper.js';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { waitUntil } from '../../helpers/processes.js';

/**
 * The reaper with real processes: what a reaped leader left in its group is reached, and a late
 * signal never reaches a stranger that was given the old number (PIDs wrap at pid_max, 32768 here,
 * a few times in one run of this suite).
 */

const cleanups = cleanupAfterEach();

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Kills, by its PID, a process this test started (directly or through its own sh). */
const killLater = (pid: number) => cleanups.push(() => alive(pid) && process.kill(pid, 'SIGKILL'));

describe('signalOrphans', () => {
  it('reaches what a reaped leader left in its group', async () => {
    const leader = spawn('sh', ['-c', 'sleep 60 & echo $!'], {
      detached: true,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    leader.stdout.on('data', (d) => {
      out += d;
    });
    await once(leader, 'exit');
    const orphan = Number(out.trim());
    killLater(orphan);
    expect(alive(orphan)).toBe(true);
    expect(signalOrphans(leader.pid!, 'SIGKILL')).toBe(true);
    await waitUntil(() => !alive(orphan), 'the orphan gone');
  });

  it('leaves alone a live process that holds the number, and its group', async () => {
    // A stranger leading a group of its own whose PID is the number asked for: what a reused PID is.
    const stranger = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
    await once(stranger, 'spawn');
    killLater(stranger.pid!);
    expect(signalOrphans(stranger.pid!, 'SIGKILL')).toBe(false);
    expect(alive(stranger.pid!)).toBe(true);
  });
});

describe('the groups hung up at exit', () => {
  it('drop a program once its leader is reaped, even one nobody read from', async () => {
    const channel = await openProgram({ argv: ['true'], pty: { cols: 80, rows: 24 } });
    const pid = channel.program!.pid;
    expect(liveGroups()).toContain(pid);
    await waitUntil(() => !liveGroups().includes(pid), `pid ${pid} released`);
    channel.on('data', () => {});
    await new Promise((resolve) => channel.once('close', resolve));
    expect(channel.program!.exit).toEqual({ code: 0, signal: null });
  });

  it('drop a piped program at its exit, before its output has ended', async () => {
    // Its background child holds the output open for a while after the leader exits.
    const channel = await openProgram({ argv: ['sh', '-c', 'trap "" HUP; sleep 2 & exit 0'] });
    const pid = channel.program!.pid;
    channel.on('data', () => {});
    await channel.program!.exited;
    expect(channel.closed).toBe(false);
    expect(liveGroups()).not.toContain(pid);
    await new Promise((resolve) => channel.once('close', resolve));
  });
});
