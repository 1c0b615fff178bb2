import * as dgram from 'node:dgram';
import type * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { CliProcess } from '../../helpers/cli.js';
import { parseJsonEvents } from '../../helpers/json-events.js';
import { descendants, waitUntil } from '../../helpers/processes.js';
import { collect, connectTo, tcpServer } from '../../helpers/servers.js';

/** listen/connect -e and -c: a program per connection, joined to the socket (ncat semantics). */

const cleanups = cleanupAfterEach();

function listen(args: string[]): CliProcess {
  const p = new CliProcess(['listen', '-v', '127.0.0.1', '0', ...args]);
  cleanups.push(() => p.kill());
  return p;
}

async function exchange(port: number, input: string | Buffer, host = '127.0.0.1'): Promise<string> {
  const s = await connectTo(port, host);
  const done = collect(s);
  s.end(input);
  return (await done).data.toString();
}

describe('listen -e / -c', () => {
  it('-e runs the program per client (argv, no shell): its output reaches the client, FIN after', async () => {
    const p = listen(['-e', 'sh -c "echo hi; cat; echo bye"']);
    const port = await p.listeningPort();
    expect(await exchange(port, 'abc\n')).toBe('hi\nabc\nbye\n');
    // Without -k: one client, then the listener exits.
    expect((await p.exited).code).toBe(0);
    expect(p.stderr).toMatch(/program sh -c 'echo hi; cat; echo bye' started \(pid \d+\)/);
    expect(p.stderr).toMatch(/program \d+ exited with code 0/);
  });

  it('-c runs a shell command; with -k every client gets its own program', async () => {
    const p = listen(['-k', '-c', 'read name; echo "hello $name, pid $$"']);
    const port = await p.listeningPort();
    const [a, b] = await Promise.all([exchange(port, 'ann\n'), exchange(port, 'bob\n')]);
    expect(a).toMatch(/^hello ann, pid \d+\n$/);
    expect(b).toMatch(/^hello bob, pid \d+\n$/);
    expect(a.match(/pid (\d+)/)![1]).not.toBe(b.match(/pid (\d+)/)![1]);
    expect(p.child.exitCode).toBe(null);
  });

  it("the program's exit closes the connection, even while the client keeps its side open", async () => {
    const p = listen(['-c', 'echo done']);
    const port = await p.listeningPort();
    const s = await connectTo(port);
    const got = await collect(s);
    expect(got.data.toString()).toBe('done\n');
    s.destroy();
    await p.exited;
  });

  it('a client that resets kills the program, and no process is left behind', async () => {
    const p = listen(['-k', '-c', 'echo up; sleep 60 & sleep 60']);
    const port = await p.listeningPort();
    const s: net.Socket = await connectTo(port);
    s.on('error', () => {});
    await new Promise<void>((resolve) => s.once('data', () => resolve()));
    await waitUntil(() => descendants(p.child.pid!).some((d) => d.comm === 'sleep'), 'the sleeps');
    s.resetAndDestroy();
    await waitUntil(() => descendants(p.child.pid!).length === 0, 'no child, no zombie', 15_000);
  });

  it('stopping the listener (SIGTERM) leaves no orphan', async () => {
    const p = listen(['-k', '-c', 'echo up; sleep 60']);
    const port = await p.listeningPort();
    const s = await connectTo(port);
    s.on('error', () => {});
    await new Promise<void>((resolve) => s.once('data', () => resolve()));
    const sleeps = () =>
      descendants(p.child.pid!)
        .filter((d) => d.comm === 'sleep')
        .map((d) => d.pid);
    await waitUntil(() => sleeps().length === 1, 'the sleep');
    const [sleep] = sleeps();
    p.child.kill('SIGTERM');
    await p.exited;
    await waitUntil(
      () => {
        try {
          process.kill(sleep!, 0);
          return false;
        } catch {
          return true;
        }
      },
      'the sleep gone after the listener',
      15_000,
    );
  });

  it('--pty gives each client a terminal: tty, stty size from --pty-size, Ctrl-C', async () => {
    const p = listen([
      '--pty',
      '--pty-size',
      '120x40',
      '-c',
      'tty; stty size; echo ready; sleep 60; echo after',
    ]);
    const port = await p.listeningPort();
    const s = await connectTo(port);
    const parts: Buffer[] = [];
    s.on('data', (d) => parts.push(d));
    const text = () => Buffer.concat(parts).toString();
    await waitUntil(() => text().includes('ready'), 'ready');
    expect(text()).toMatch(/^\/dev\/pts\/\d+\r\n40 120\r\nready\r\n/);
    s.write(Buffer.from([0x03]));
    // The program's end is the connection's: FIN comes.
    await new Promise((resolve) => s.on('end', resolve));
    s.destroy();
    expect(text()).not.toMatch(/after/);
    await p.exited;
    expect(p.stderr).toMatch(/killed by SIGINT/);
  });

  it('UDP: each sender gets its own program', async () => {
    const p = new CliProcess(['listen', '-v', '-u', '127.0.0.1', '0', '-c', 'read line; echo "got $line"']);
    cleanups.push(() => p.kill());
    const port = await p.listeningPort();
    const sock = dgram.createSocket('udp4');
    cleanups.push(() => sock.close());
    const reply = new Promise<string>((resolve) => sock.once('message', (m) => resolve(m.toString())));
    sock.send('ping\n', port, '127.0.0.1');
    expect(await reply).toBe('got ping\n');
  });

  it('warns when the program is reachable beyond loopback', async () => {
    const p = new CliProcess(['listen', '-v', '0.0.0.0', '0', '-e', 'cat']);
    cleanups.push(() => p.kill());
    await p.listeningPort();
    expect(p.stderr).toMatch(
      /^sockrepl: warning: anyone who can reach 0\.0\.0\.0:\d+ can now run cat on this machine \(limit with --allow, or listen on 127\.0\.0\.1\)\n/,
    );
    const quiet = listen(['-e', 'cat']);
    await quiet.listeningPort();
    expect(quiet.stderr).not.toMatch(/warning/);
  });
});

describe('listen -c --json', () => {
  it("shows each client's traffic with its program; the client's EOF does not cut the reply", async () => {
    const p = new CliProcess(['listen', '--json', '127.0.0.1', '0', '-c', 'read x; echo "got $x"']);
    cleanups.push(() => p.kill());
    // Standard input ends at once, as in a script: the served program still answers.
    p.child.stdin.end();
    await p.waitForStdout((out) => out.includes('"type":"listening"'));
    const port = Number(/"port":(\d+)/.exec(p.stdout.toString())![1]);
    expect(await exchange(port, 'hi\n')).toBe('got hi\n');
    await p.exited;
    const out = p.stdout.toString();
    expect(out).toMatch(/"dir":"out","len":7,"hex":"676f74206869 ?0a"|"dir":"out".*"text":"got hi\\n"/);
    expect(out).toMatch(/program \d+ exited with code 0/);
    expect(parseJsonEvents(out).map((e) => e.type)).toContain('notice');
  });
});

describe('connect -e', () => {
  it('joins the program to an outgoing connection: the server talks to it', async () => {
    let answer = '';
    const srv = await tcpServer((s) => {
      s.write('WHO\n');
      s.on('data', (d) => {
        answer += d.toString();
      });
    });
    cleanups.push(() => srv.close());
    const p = new CliProcess(['connect', '127.0.0.1', String(srv.port), '-c', 'read q; echo "I am $q"']);
    cleanups.push(() => p.kill());
    expect((await p.exited).code).toBe(0);
    expect(answer).toBe('I am WHO\n');
  });
});

describe('--allow / --deny (every listener)', () => {
  async function reply(port: number, localAddress: string): Promise<string> {
    const { connect } = await import('node:net');
    const s = connect({ port, host: '127.0.0.1', localAddress, allowHalfOpen: true });
    s.on('error', () => {});
    const done = collect(s);
    s.end('x\n');
    return (await done).data.toString();
  }

  it('refuses a client outside --allow (closed at once, said with -v), serves one inside', async () => {
    const p = listen(['-k', '--allow', '127.0.0.1', '-c', 'echo served']);
    const port = await p.listeningPort();
    expect(await reply(port, '127.0.0.2')).toBe('');
    await p.waitForStderr(/Refused connection from 127\.0\.0\.2 \d+: its address is not allowed \(--allow\)/);
    expect(await reply(port, '127.0.0.1')).toBe('served\n');
  });

  it('--deny with a CIDR range wins over --allow; plain listeners take it too', async () => {
    const p = new CliProcess([
      'listen',
      '-v',
      '-k',
      '127.0.0.1',
      '0',
      '--allow',
      '127.0.0.0/8',
      '--deny',
      '127.0.0.2/32',
    ]);
    cleanups.push(() => p.kill());
    const port = await p.listeningPort();
    expect(await reply(port, '127.0.0.2')).toBe('');
    await p.waitForStderr(/Refused connection from 127\.0\.0\.2 \d+: its address is denied \(--deny\)/);
    const ok = (await import('node:net')).connect({ port, host: '127.0.0.1', localAddress: '127.0.0.3' });
    cleanups.push(() => ok.destroy());
    await p.waitForStderr(/Connection received on 127\.0\.0\.3/);
  });

  it('a bad entry is a usage error before listening', async () => {
    const p = new CliProcess(['listen', '127.0.0.1', '0', '--allow', '10.0.0.0/33']);
    const r = await p.exited;
    expect({ code: r.code, stderr: r.stderr }).toEqual({
      code: 2,
      stderr: "sockrepl: --allow: '10.0.0.0/33' is not a CIDR range (e.g. 10.0.0.0/8 or fd00::/8)\n",
    });
  });
});
