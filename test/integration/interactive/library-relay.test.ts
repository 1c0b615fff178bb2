import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import type * as net from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { tcpServer } from '../../helpers/servers.js';

/**
 * tube.interactive() off a terminal, from a program using the built library (dist/): stdin goes
 * to the connection, the connection to stdout, bytes the script had received and not consumed
 * first; stdin's end shuts the write side down and the relay reads on until the peer closes.
 */

const CLIENT = fileURLToPath(new URL('../../fixtures/interactive/library-client.mjs', import.meta.url));
const cleanups = cleanupAfterEach();
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A login server: banner, `login: `, then after the name `welcome` and `tail`; `bye` after the client's FIN. */
async function loginServer(tail: Buffer) {
  let received: (data: Buffer) => void;
  const afterLogin = new Promise<Buffer>((resolve) => {
    received = resolve;
  });
  const srv = await tcpServer((s: net.Socket) => {
    s.write('banner\nlogin: ');
    const parts: Buffer[] = [];
    s.on('data', (d: Buffer) => {
      parts.push(d);
      if (parts.length === 1 && Buffer.concat(parts).toString().startsWith('alice\n')) {
        // The welcome line and the first of the rest in one write: the tube buffers what follows it.
        s.write(Buffer.concat([Buffer.from('welcome alice\n'), tail]));
      }
    });
    s.on('end', () => {
      received(Buffer.concat(parts).subarray('alice\n'.length));
      s.end('bye\n');
    });
  });
  cleanups.push(() => srv.close());
  return { port: srv.port, afterLogin };
}

function runClient(port: number, stdin: Buffer) {
  const child = spawn(process.execPath, [CLIENT, String(port)], { stdio: ['pipe', 'pipe', 'pipe'] });
  cleanups.push(() => child.kill());
  const out: Buffer[] = [];
  let err = '';
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => {
    err += d;
  });
  child.stdin.end(stdin);
  return new Promise<{ code: number | null; stdout: Buffer; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: err })),
  );
}

describe('tube.interactive() off a terminal', () => {
  it('relays stdin and stdout, buffered bytes first, and returns when the peer closes', async () => {
    const server = await loginServer(Buffer.from('prompt> '));
    const run = runClient(server.port, Buffer.from('ls\nexit\n'));
    const [result, got] = await Promise.all([run, server.afterLogin]);
    expect(result.stderr).toBe('after\n');
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toBe('prompt> bye\n');
    expect(got.toString()).toBe('ls\nexit\n');
  }, 20_000);

  it('moves 1 MiB each way exactly (sha256)', async () => {
    const down = randomBytes(1024 * 1024);
    const up = randomBytes(1024 * 1024);
    const server = await loginServer(down);
    const [result, got] = await Promise.all([runClient(server.port, up), server.afterLogin]);
    expect(result.code).toBe(0);
    expect(sha(result.stdout)).toBe(sha(Buffer.concat([down, Buffer.from('bye\n')])));
    expect(got.length).toBe(up.length);
    expect(sha(got)).toBe(sha(up));
  }, 30_000);
});
