import { readdirSync, readFileSync } from 'node:fs';

/** What /proc says of a process: its parent, its process group, and its state (Z: zombie). */
export interface ProcInfo {
  pid: number;
  ppid: number;
  pgrp: number;
  state: string;
  comm: string;
}

function read(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may hold spaces and parentheses: the fields after it start at the last ')'.
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const [state, ppid, pgrp] = stat.slice(close + 2).split(' ');
    return { pid, ppid: Number(ppid), pgrp: Number(pgrp), state: state!, comm };
  } catch {
    return undefined;
  }
}

export function processes(): ProcInfo[] {
  const all: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const p = read(Number(name));
    if (p) all.push(p);
  }
  return all;
}

/** The processes still in a process group (a program's group: the program and what it started). */
export function groupMembers(pgid: number): ProcInfo[] {
  return processes().filter((p) => p.pgrp === pgid);
}

/** Every descendant of a process, zombies included. */
export function descendants(pid: number): ProcInfo[] {
  const all = processes();
  const out: ProcInfo[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const p of all)
      if (p.ppid === parent) {
        out.push(p);
        queue.push(p.pid);
      }
  }
  return out;
}

/** Waits until `check` is true, polling; throws with `what` after `ms`. */
export async function waitUntil(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
