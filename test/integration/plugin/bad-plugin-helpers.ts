import type * as net from 'node:net';
import { resolve } from 'node:path';
import { expect } from 'vitest';
import { CliProcess, type CliResult, sleep } from '../../helpers/cli.js';
import { parseJsonEvents } from '../../helpers/json-events.js';
import { tcpServer } from '../../helpers/servers.js';

/** What the bad-plugin matrix tests share: fixtures, a run with a deadline, a server that records. */

export const fixture = (name: string) => resolve(import.meta.dirname, '../../fixtures/plugins', name);

/** A short load timeout, so a plugin that never settles costs a second, not ten. */
export const SHORT_LOAD = { SOCKREPL_PLUGIN_TIMEOUT: '1s' };

/** Starts the CLI; `cleanups` kills it if the test ends first. */
export function start(cleanups: (() => unknown)[], args: string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const p = new CliProcess(args, env);
  cleanups.push(() => p.kill());
  return p;
}

/** Runs the CLI to its end with `input` on standard input; killed (and failing) after `ms`. */
export async function runToEnd(
  cleanups: (() => unknown)[],
  args: string[],
  input: string | Buffer = '',
  env: NodeJS.ProcessEnv = {},
  ms = 20_000,
): Promise<CliResult> {
  const p = start(cleanups, args, env);
  p.child.stdin.end(input);
  return finish(p, ms);
}

/** Waits for the process to exit; kills it and fails after `ms`, with what it said. */
export async function finish(p: CliProcess, ms = 20_000): Promise<CliResult> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      p.kill();
      reject(new Error(`did not exit within ${ms} ms; stderr: ${p.stderr}`));
    }, ms);
  });
  try {
    return await Promise.race([p.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Standard error holds exactly these one-line messages (each `sockrepl: ...`), matched in order,
 * and no stack trace.
 */
export function expectStderrLines(stderr: string, ...patterns: (string | RegExp)[]): void {
  expect(stderr).not.toMatch(/^\s+at /m);
  const lines = stderr.split('\n').filter((l) => l !== '');
  expect(lines, stderr).toHaveLength(patterns.length);
  patterns.forEach((p, i) => {
    if (typeof p === 'string') expect(lines[i]).toBe(p);
    else expect(lines[i]).toMatch(p);
  });
}

/** Polls until `cond` holds; fails after `ms` saying what it waited for. */
export async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/**
 * A loopback server recording what each client sends. It ends its side when the client does, or
 * once `endAfter` bytes arrived; `greeting` chunks are written one at a time, each after the
 * client has sent something (so each arrives as a chunk of its own).
 */
export async function recordingServer(
  cleanups: (() => unknown)[],
  options: {
    endAfter?: number;
    echo?: boolean;
    greeting?: (string | Buffer)[];
    /** Resets the connection once the first greeting chunk is written. */
    resetAfterGreeting?: boolean;
  } = {},
) {
  const clients: { data: Buffer; socket: net.Socket; ended: boolean }[] = [];
  const srv = await tcpServer((socket) => {
    const c = { data: Buffer.alloc(0), socket, ended: false };
    clients.push(c);
    const greeting = [...(options.greeting ?? [])];
    const first = greeting.shift();
    if (first !== undefined) socket.write(first);
    if (options.resetAfterGreeting) socket.write('', () => socket.resetAndDestroy());
    socket.on('data', (d: Buffer) => {
      c.data = Buffer.concat([c.data, d]);
      if (options.echo) socket.write(d);
      const next = greeting.shift();
      if (next !== undefined) socket.write(next);
      if (options.endAfter !== undefined && c.data.length >= options.endAfter) socket.end();
    });
    socket.on('end', () => {
      c.ended = true;
      socket.end();
    });
  });
  cleanups.push(() => srv.close());
  return { ...srv, clients, received: () => Buffer.concat(clients.map((c) => c.data)).toString('latin1') };
}

/** The JSON events a `--json` run printed. */
export function events(stdout: Buffer): Record<string, unknown>[] {
  return parseJsonEvents<Record<string, unknown>>(stdout);
}

/** The bytes of every `data` event in one direction, in order. */
export function dataBytes(evs: Record<string, unknown>[], dir: 'in' | 'out'): string {
  return evs
    .filter((e) => e.type === 'data' && e.dir === dir)
    .map((e) => Buffer.from(String(e.hex), 'hex').toString('latin1'))
    .join('');
}
