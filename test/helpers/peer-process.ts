import { execFileSync, spawn } from 'node:child_process';
import { sleep } from './cli.js';

/** Real peers (ncat, openssl, socat, nc) run by interop tests: installed locally, always in CI. */

export function hasCommand(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`]);
    return true;
  } catch {
    return false;
  }
}

export interface PeerProcess {
  child: ReturnType<typeof spawn>;
  done: Promise<{ code: number | null; out: Buffer; err: string }>;
  /** Standard error and output so far, as text. */
  said(): string;
  /** Waits until the peer's output matches. */
  waitFor(pattern: RegExp, ms?: number): Promise<void>;
}

/** Starts `cmd args`, standard input from a file, a string, or nothing; killed by the cleanup. */
export function startPeer(
  cleanups: (() => unknown)[],
  cmd: string,
  args: string[],
  input?: { file?: string; text?: string; keepOpen?: boolean },
): PeerProcess {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  let err = '';
  child.stdout!.on('data', (d: Buffer) => out.push(d));
  child.stderr!.on('data', (d: Buffer) => {
    err += d;
  });
  child.stdin!.on('error', () => {});
  if (input?.file)
    spawn('cat', [input.file], { stdio: ['ignore', 'pipe', 'ignore'] }).stdout!.pipe(child.stdin!);
  else if (input?.text !== undefined && !input.keepOpen) child.stdin!.end(input.text);
  else if (input?.text !== undefined) child.stdin!.write(input.text);
  else if (!input?.keepOpen) child.stdin!.end();
  cleanups.push(() => child.exitCode === null && child.kill('SIGKILL'));
  const done = new Promise<{ code: number | null; out: Buffer; err: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, out: Buffer.concat(out), err })),
  );
  const said = () => Buffer.concat(out).toString('latin1') + err;
  return {
    child,
    done,
    said,
    async waitFor(pattern, ms = 20_000) {
      const deadline = Date.now() + ms;
      while (!pattern.test(said())) {
        if (Date.now() > deadline) throw new Error(`${cmd} never said ${pattern}; it said: ${said()}`);
        await sleep(10);
      }
    },
  };
}

/** Waits until something listens on the TCP port (the peer is up). */
export async function waitListening(port: number, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      execFileSync('sh', ['-c', `ss -ltn | grep -q ':${port} '`]);
      return;
    } catch {
      await sleep(20);
    }
  }
  throw new Error(`nothing listened on ${port}`);
}
