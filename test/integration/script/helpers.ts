import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CliResult, runCli } from '../../helpers/cli.js';

/** A temporary directory for scripts; removed by cleanup(). */
export function scriptDir(): { dir: string; write(name: string, text: string): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'sockrepl-script-'));
  return {
    dir,
    write(name, text) {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs `sockrepl run` to completion. */
export function run(args: string[], timeoutMs = 15_000): Promise<CliResult & { out: string }> {
  return runCli(['run', ...args], '', timeoutMs).then((r) => ({ ...r, out: r.stdout.toString() }));
}

export type Reply = (line: string, socket: net.Socket) => string | Uint8Array | undefined;

/**
 * A line-protocol server on loopback: each received line goes to `reply`, whose answer is written
 * back, whole or one byte per write (each byte its own segment: nodelay and a pause between).
 */
export async function lineServer(
  reply: Reply,
  options: { chunking?: 'whole' | 'bytewise'; greeting?: string } = {},
): Promise<{ port: number; connections: () => number; close(): Promise<void> }> {
  let count = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    count++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    let queue = Promise.resolve();
    const write = (data: string | Uint8Array) => {
      const bytes = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data);
      queue = queue.then(async () => {
        if (options.chunking !== 'bytewise') {
          socket.write(bytes);
          return;
        }
        for (let i = 0; i < bytes.length && !socket.destroyed; i++) {
          socket.write(bytes.subarray(i, i + 1));
          await new Promise((r) => setTimeout(r, 1));
        }
      });
    };
    if (options.greeting) write(options.greeting);
    let buffered = '';
    socket.on('data', (d: Buffer) => {
      buffered += d.toString('latin1');
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const line = buffered.slice(0, nl + 1);
        buffered = buffered.slice(nl + 1);
        const answer = reply(line.replace(/\r?\n$/, ''), socket);
        if (answer !== undefined) write(answer);
      }
    });
    socket.on('end', () => {
      void queue.then(() => socket.end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => count,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
