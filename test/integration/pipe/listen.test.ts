import { createHash, randomBytes } from 'node:crypto';
import * as dgram from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { CliProcess, sleep } from '../../helpers/cli.js';
import { collect, connectTo } from '../../helpers/servers.js';

const cleanups = cleanupAfterEach();

function start(args: string[]): CliProcess {
  const p = new CliProcess(args);
  cleanups.push(() => p.kill());
  return p;
}

describe('listen', () => {
  it('-v prints the real port when 0 was asked, and nc-style connection lines', async () => {
    const p = start(['listen', '-v', '0']);
    const port = await p.listeningPort();
    expect(port).toBeGreaterThan(0);
    expect(p.stderr).toMatch(new RegExp(`^Listening on 0\\.0\\.0\\.0 ${port}\\n`));
    const c = await connectTo(port);
    await p.waitForStderr(new RegExp(`Connection received on 127\\.0\\.0\\.1 ${c.localPort}`));
    c.end('bye\n');
    const r = await p.exited;
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe('bye\n');
  });

  it('-l is listen, and without -k one client is served, then the program exits', async () => {
    const p = start(['-l', '-v', '127.0.0.1', '0']);
    const port = await p.listeningPort();
    const first = await connectTo(port);
    const answer = collect(first);
    p.child.stdin.write('to the first\n');
    await p.waitForStderr(/Connection received/);
    // A second client is not served: the listening socket is closed after the first accept.
    await expect(connectTo(port)).rejects.toThrow(/ECONNREFUSED/);
    first.end();
    const r = await p.exited;
    expect(r.code).toBe(0);
    expect((await answer).data.toString()).toBe('to the first\n');
  });

  it('-q does not hold the program open after its one client is done', async () => {
    const p = start(['listen', '-v', '-q', '30', '127.0.0.1', '0']);
    p.child.stdin.end();
    const c = await connectTo(await p.listeningPort());
    c.end('bye\n');
    const r = await p.exited;
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe('bye\n');
  });

  it('-k keeps accepting and sends standard input to every client', async () => {
    const p = start(['listen', '-k', '-v', '127.0.0.1', '0']);
    const port = await p.listeningPort();
    const a = await connectTo(port);
    const b = await connectTo(port);
    await p.waitForStderr(/Connection received[\s\S]*Connection received/);
    const got = [collect(a), collect(b)];
    p.child.stdin.write('hello all\n');
    await sleep(200);
    a.end('from a\n');
    await p.waitForStdout((out) => out.toString().includes('from a'));
    b.end('from b\n');
    await p.waitForStdout((out) => out.toString().includes('from b'));
    const c = await connectTo(port);
    c.end();
    expect(p.child.exitCode).toBeNull();
    for (const g of got) expect((await g).data.toString()).toBe('hello all\n');
  });

  it('--max-clients refuses clients beyond n', async () => {
    const p = start(['listen', '-k', '-v', '--max-clients', '1', '127.0.0.1', '0']);
    const port = await p.listeningPort();
    const a = await connectTo(port);
    cleanups.push(() => a.destroy());
    await p.waitForStderr(/Connection received/);
    const b = await connectTo(port);
    const refused = await collect(b);
    expect(refused.data.length).toBe(0);
    await p.waitForStderr(
      /Refused connection from 127\.0\.0\.1 \d+: 1 client is connected, the most allowed/,
    );
  });

  it("--broker relays each client's data to all the others", async () => {
    const p = start(['listen', '--broker', '-v', '127.0.0.1', '0']);
    const port = await p.listeningPort();
    const a = await connectTo(port);
    const b = await connectTo(port);
    const c = await connectTo(port);
    await p.waitForStderr(/(Connection received[\s\S]*){3}/);
    const atB = collect(b);
    const atC = collect(c);
    a.write('from a\n');
    await p.waitForStdout((out) => out.toString() === 'from a\n');
    a.destroy();
    b.end();
    c.end();
    expect((await atB).data.toString()).toBe('from a\n');
    expect((await atC).data.toString()).toBe('from a\n');
  });

  it('--broker relays 8 MiB unchanged to a slow reader (relayed bytes are copies, not the reused read buffer)', async () => {
    const p = start(['listen', '--broker', '-v', '127.0.0.1', '0']);
    const port = await p.listeningPort();
    const a = await connectTo(port);
    const b = await connectTo(port);
    await p.waitForStderr(/(Connection received[\s\S]*){2}/);
    b.pause();
    const atB = collect(b);
    setTimeout(() => b.resume(), 300);
    const payload = randomBytes(8 << 20);
    a.end(payload);
    await p.waitForStdout((out) => out.length === payload.length, 10_000);
    await sleep(200);
    b.end();
    const got = (await atB).data;
    expect(createHash('sha256').update(got).digest('hex')).toBe(
      createHash('sha256').update(payload).digest('hex'),
    );
    expect(createHash('sha256').update(p.stdout).digest('hex')).toBe(
      createHash('sha256').update(payload).digest('hex'),
    );
  });

  it('IPv6: listens on ::1 and takes [::1] as a host', async () => {
    const p = start(['listen', '-v', '::1', '0']);
    const port = await p.listeningPort();
    const client = start(['--no-tui', '[::1]', String(port)]);
    client.child.stdin.end('over v6\n');
    await p.waitForStdout((out) => out.toString() === 'over v6\n');
    client.kill();
  });
});

describe('UDP', () => {
  it('listen receives from any sender and answers the latest', async () => {
    const p = start(['listen', '-u', '-k', '-v', '127.0.0.1', '0']);
    const port = await p.listeningPort();
    const a = dgram.createSocket('udp4');
    const b = dgram.createSocket('udp4');
    cleanups.push(
      () => a.close(),
      () => b.close(),
    );
    const atB = new Promise<string>((resolve) => b.once('message', (m) => resolve(m.toString())));
    a.send('one\n', port, '127.0.0.1');
    await p.waitForStdout((out) => out.toString() === 'one\n');
    b.send('two\n', port, '127.0.0.1');
    await p.waitForStdout((out) => out.toString() === 'one\ntwo\n');
    p.child.stdin.write('answer\n');
    expect(await atB).toBe('answer\n');
  });

  it('connect sends each read as a datagram and prints the replies', async () => {
    const server = dgram.createSocket('udp4');
    cleanups.push(() => server.close());
    server.on('message', (m, rinfo) => server.send(Buffer.from(`echo:${m}`), rinfo.port, rinfo.address));
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
    const p = start(['-u', '127.0.0.1', String(server.address().port)]);
    p.child.stdin.write('ping\n');
    await p.waitForStdout((out) => out.toString() === 'echo:ping\n');
  });
});
