import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { BIN } from './cli.js';
import type { Running } from './peers.js';

/**
 * A network namespace of a test's own, with loopback up and its own /etc/hosts (`ip netns exec`
 * mounts /etc/netns/NAME/hosts over /etc/hosts), so a name can have both ::1 and 127.0.0.1
 * without touching the machine's resolver. Needs root and `ip netns`; `netnsSupport()` says why
 * not where they are missing, for the test to skip with that reason.
 */

export function netnsSupport(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces are Linux only';
  if (process.getuid?.() !== 0) return 'creating a network namespace needs root';
  const probe = `sockrepl-probe-${process.pid}`;
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: 'pipe' });
    execFileSync('ip', ['netns', 'del', probe], { stdio: 'pipe' });
    return undefined;
  } catch (err) {
    return `ip netns is not permitted here: ${String((err as Error).message).split('\n')[0]}`;
  }
}

export interface Netns {
  name: string;
  /** Runs a command inside the namespace (argv[0] is the program). */
  spawn(argv: string[]): Running;
  /** sockrepl inside the namespace. */
  sockrepl(args: string[]): Running;
  exec(argv: string[]): string;
  remove(): void;
}

export function createNetns(hosts: Record<string, string[]>): Netns {
  const name = `sockrepl-t${process.pid}-${Math.floor(Math.random() * 1e6)}`;
  execFileSync('ip', ['netns', 'add', name]);
  const etc = `/etc/netns/${name}`;
  const remove = () => {
    try {
      execFileSync('ip', ['netns', 'del', name], { stdio: 'pipe' });
    } catch {
      // already gone
    }
    rmSync(etc, { recursive: true, force: true });
  };
  try {
    execFileSync('ip', ['netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up']);
    mkdirSync(etc, { recursive: true });
    const lines = Object.entries(hosts).flatMap(([host, addrs]) => addrs.map((a) => `${a} ${host}`));
    writeFileSync(`${etc}/hosts`, `${['127.0.0.1 localhost', ...lines].join('\n')}\n`);
  } catch (err) {
    remove();
    throw err;
  }
  const run = (argv: string[]): Running => {
    const child = spawn('ip', ['netns', 'exec', name, ...argv], {
      stdio: 'pipe',
      env: { ...process.env, NO_COLOR: '1' },
    });
    child.stdin.on('error', () => {});
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => {
      err += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    return {
      child,
      stdout: () => Buffer.concat(out).toString(),
      stderr: () => err,
      exited,
      kill: () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      },
    };
  };
  return {
    name,
    spawn: run,
    sockrepl: (args) => run([process.execPath, BIN, ...args]),
    exec: (argv) => execFileSync('ip', ['netns', 'exec', name, ...argv]).toString(),
    remove,
  };
}
