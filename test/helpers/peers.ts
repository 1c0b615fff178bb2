import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { BIN, sleep } from './cli.js';

/**
 * Running sockrepl and its peers (ncat, OpenBSD nc) the same way, so a test can put one scenario to
 * each and compare what a client sees.
 */

export const has = (cmd: string): boolean => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`]);
    return true;
  } catch {
    return false;
  }
};

export const HAVE_NCAT = has('ncat');
export const HAVE_OPENBSD_NC =
  has('nc') && /OpenBSD/.test(execFileSync('sh', ['-c', 'nc -h 2>&1 || true']).toString());

/** Whether this machine can use IPv6 loopback (`::1`). */
export const HAVE_IPV6 = (() => {
  try {
    execFileSync(process.execPath, [
      '-e',
      "const s=require('net').createServer().listen(0,'::1',()=>s.close()); s.on('error',()=>process.exit(1))",
    ]);
    return true;
  } catch {
    return false;
  }
})();

export type Tool = 'sockrepl' | 'ncat' | 'nc';

export interface Running {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
  kill(): void;
}

/** Starts a tool with these arguments; standard input stays open until the test writes or ends it. */
export function startTool(tool: Tool, args: string[]): Running {
  const child =
    tool === 'sockrepl'
      ? spawn(process.execPath, [BIN, ...args], { stdio: 'pipe', env: { ...process.env, NO_COLOR: '1' } })
      : spawn(tool, args, { stdio: 'pipe' });
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
}

export async function until(cond: () => boolean, ms = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`${what} not met in ${ms} ms`);
    await sleep(10);
  }
}

/** The local addresses listening on a port (`0.0.0.0`, `[::]`...), as `ss` reports them. */
export function listeningOn(port: number, proto: 'tcp' | 'udp' = 'tcp'): string[] {
  const out = execFileSync('ss', [proto === 'tcp' ? '-ltnH' : '-lunH']).toString();
  const found: string[] = [];
  for (const line of out.split('\n')) {
    const local = line.trim().split(/\s+/)[3];
    if (local?.endsWith(`:${port}`)) found.push(local.slice(0, -`:${port}`.length));
  }
  return found.sort();
}

/** Waits until `count` sockets listen on the port (one per family for a dual listener). */
export async function waitListening(
  port: number,
  proto: 'tcp' | 'udp' = 'tcp',
  count = 1,
): Promise<string[]> {
  await until(() => listeningOn(port, proto).length >= count, 10_000, `${count} listening on ${port}`);
  return listeningOn(port, proto);
}

/** What a TCP client sees: refused, or connected and then the bytes until the server's FIN/RST. */
export async function tcpProbe(
  host: string,
  port: number,
  send?: string,
): Promise<{ connected: boolean; error?: string; data: string; ended: 'fin' | 'rst' | 'open' }> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port, allowHalfOpen: true });
    let connected = false;
    let data = '';
    const timer = setTimeout(() => finish('open'), 3000);
    const finish = (ended: 'fin' | 'rst' | 'open', error?: string) => {
      clearTimeout(timer);
      s.destroy();
      resolve({ connected, error, data, ended });
    };
    s.on('connect', () => {
      connected = true;
      if (send !== undefined) s.write(send);
    });
    s.on('data', (d: Buffer) => {
      data += d;
    });
    s.on('end', () => finish('fin'));
    s.on('error', (e: NodeJS.ErrnoException) => finish(connected ? 'rst' : 'open', e.code));
  });
}

/** Sends one datagram from an ephemeral socket of the address's family; resolves once sent. */
export async function udpSend(host: string, port: number, text: string): Promise<dgram.Socket> {
  const s = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => s.send(text, port, host, (e) => (e ? reject(e) : resolve())));
  return s;
}
