import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, listen, type Tube } from '../../src/index.js';
import { cleanupAfterEach } from '../helpers/cleanups.js';
import { CliProcess, runCli } from '../helpers/cli.js';
import { parseJsonEvents } from '../helpers/json-events.js';
import { hasCommand, startPeer } from '../helpers/peer-process.js';

/** Unix datagram sockets (-u -U) against socat UNIX-RECVFROM/SENDTO, OpenBSD nc -U -u and python. */
const haveSocat = hasCommand('socat');
const haveNc =
  hasCommand('nc') && /OpenBSD/.test(execFileSync('sh', ['-c', 'nc -h 2>&1 || true']).toString());
const havePython = hasCommand('python3');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sockrepl-dgram-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cleanups = cleanupAfterEach();
let n = 0;
const sockPath = () => join(dir, `d${++n}.sock`);

async function waitFor(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition never held');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function sockrepl(args: string[]): CliProcess {
  const p = new CliProcess(args);
  cleanups.push(() => p.kill());
  return p;
}

/** A python peer: binds `own` and sends to `to` one datagram of `count` × `char` per pair. */
function pythonSender(own: string, to: string, datagrams: [string, number][]): string[] {
  return [
    '-c',
    `import socket
s=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(${JSON.stringify(own)})
for c, k in ${JSON.stringify(datagrams)}: s.sendto(c.encode() * k, ${JSON.stringify(to)})`,
  ];
}

describe.skipIf(!haveSocat)('unix datagrams with socat', () => {
  it('-u -U sends to socat UNIX-RECVFROM, which answers from EXEC:cat', async () => {
    const path = sockPath();
    startPeer(cleanups, 'socat', [`UNIX-RECVFROM:${path},fork`, 'EXEC:cat']);
    await waitFor(() => existsSync(path));
    const client = sockrepl(['-u', '-U', path]);
    client.child.stdin.write('ping\n');
    await client.waitForStdout((out) => out.toString() === 'ping\n', 10_000);
  });

  it('-l -u -U hears socat UNIX-SENDTO (bound) and answers it', async () => {
    const path = sockPath();
    const server = sockrepl(['-l', '-v', '-u', '-U', path]);
    await server.waitForStderr(/Listening on /);
    const peer = startPeer(cleanups, 'socat', ['-', `UNIX-SENDTO:${path},bind=${sockPath()}`], {
      text: 'hello listener\n',
      keepOpen: true,
    });
    await server.waitForStdout((out) => out.toString() === 'hello listener\n', 10_000);
    server.child.stdin.write('hello socat\n');
    await peer.waitFor(/hello socat\n/);
  });

  it('a sender with no address of its own is heard, and answering it is a clear error', async () => {
    const path = sockPath();
    const server = sockrepl(['-l', '-v', '-u', '-U', path]);
    await server.waitForStderr(/Listening on /);
    startPeer(cleanups, 'socat', ['-u', '-', `UNIX-SENDTO:${path}`], { text: 'anonymous\n' });
    await server.waitForStdout((out) => out.toString() === 'anonymous\n', 10_000);
    await server.waitForStderr(/Connection received on \(unnamed\)/);
    server.child.stdin.write('reply\n');
    await server.waitForStderr(
      /send \(unnamed\): the sender has no address of its own .* cannot be answered/,
    );
  });

  it('socat UNIX-DGRAM both ways with an abstract name', async () => {
    const name = `@sockrepl-dgram-${process.pid}-${++n}`;
    const server = sockrepl(['-l', '-v', '-u', '-U', name]);
    await server.waitForStderr(/Listening on @/);
    const peer = startPeer(cleanups, 'socat', ['-', `ABSTRACT-SENDTO:${name.slice(1)},bind=${sockPath()}`], {
      text: 'abstract\n',
      keepOpen: true,
    });
    await server.waitForStdout((out) => out.toString() === 'abstract\n', 10_000);
    server.child.stdin.write('back\n');
    await peer.waitFor(/back\n/);
  });
});

describe.skipIf(!haveNc)('unix datagrams with OpenBSD nc -U -u', () => {
  it('nc -U -u talks to sockrepl -l -u -U, both ways', async () => {
    const path = sockPath();
    const server = sockrepl(['-l', '-v', '-u', '-U', path]);
    await server.waitForStderr(/Listening on /);
    const peer = startPeer(cleanups, 'nc', ['-U', '-u', path], { text: 'from nc\n', keepOpen: true });
    await server.waitForStdout((out) => out.toString() === 'from nc\n', 10_000);
    server.child.stdin.write('from sockrepl\n');
    await peer.waitFor(/from sockrepl\n/);
  });

  it('sockrepl -u -U talks to nc -l -U -u, both ways', async () => {
    const path = sockPath();
    const peer = startPeer(cleanups, 'nc', ['-l', '-U', '-u', path], { text: '', keepOpen: true });
    await waitFor(() => existsSync(path));
    const client = sockrepl(['-u', '-U', path]);
    client.child.stdin.write('to nc\n');
    await peer.waitFor(/to nc\n/);
    peer.child.stdin!.write('to sockrepl\n');
    await client.waitForStdout((out) => out.toString() === 'to sockrepl\n', 10_000);
  });
});

describe.skipIf(!havePython)('unix datagram boundaries and errors', () => {
  it('--json shows each datagram as sent: empty ones and a 100 000-byte one too', async () => {
    const path = sockPath();
    const server = sockrepl(['-l', '-u', '-U', path, '--json']);
    await waitFor(() => existsSync(path));
    const datagrams: [string, number][] = [
      ['a', 1],
      ['', 0],
      ['b', 2],
      ['x', 100_000],
    ];
    execFileSync('python3', pythonSender(sockPath(), path, datagrams));
    // Every datagram's event, each a whole line (a 100 000-byte one arrives in pieces).
    const complete = (out: Buffer) => {
      const text = out.toString();
      return text.endsWith('\n') && text.split('"dir":"in"').length > datagrams.length;
    };
    await server.waitForStdout(complete, 10_000);
    const events = parseJsonEvents<{ type: string; dir?: string; len?: number; proto?: string }>(
      server.stdout,
    );
    expect(events.filter((e) => e.type === 'data' && e.dir === 'in').map((e) => e.len)).toEqual([
      1, 0, 2, 100_000,
    ]);
    expect(events.find((e) => e.type === 'open')).toMatchObject({ proto: 'udp' });
  });

  it('the library: listen({ udp, unix }) answers connect(…, { udp, unix }); boundaries kept', async () => {
    const path = sockPath();
    const listener = await listen(0, { udp: true, unix: path });
    cleanups.push(() => listener.close());
    const accepted = new Promise<Tube>((r) => listener.once('tube', r));
    const client = await connect('', 0, { udp: true, unix: path });
    cleanups.push(() => client.close());
    await client.send('one');
    await client.send('');
    await client.send('two');
    const server = await accepted;
    await server.expect('onetwo');
    await server.sendLine('pong');
    await client.expect('pong\n');
    expect(client.info().remote).toMatchObject({ address: path, family: 'unix' });
    expect(client.info().local.address).toMatch(/^@[0-9a-f]{5}$/);
    await client.close();
    await listener.close();
    expect(existsSync(path)).toBe(false);
  });

  it('names a missing file, a stale file, a stream socket and an oversized datagram', async () => {
    const missing = await runCli(['-u', '-U', join(dir, 'none.sock')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/ENOENT: no such socket file/);

    const stale = sockPath();
    execFileSync('python3', [
      '-c',
      `import socket; s=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(${JSON.stringify(stale)})`,
    ]);
    const refused = await runCli(['-u', '-U', stale]);
    expect(refused.stderr).toMatch(/ECONNREFUSED: .*nothing listens/);

    const stream = sockPath();
    const streamServer = sockrepl(['-lvU', stream]);
    await streamServer.waitForStderr(/Listening on /);
    const wrongType = await runCli(['-u', '-U', stream]);
    expect(wrongType.stderr).toMatch(/EPROTOTYPE: .*drop -u/);

    const path = sockPath();
    const listener = await listen(0, { udp: true, unix: path });
    cleanups.push(() => listener.close());
    const client = await connect('', 0, { udp: true, unix: path });
    cleanups.push(() => client.close());
    await client.send(Buffer.alloc(4 * 1024 * 1024));
    await expect(client.recv(1, { timeout: 5000 })).rejects.toThrow(/EMSGSIZE: the datagram is larger/);
  });
});
