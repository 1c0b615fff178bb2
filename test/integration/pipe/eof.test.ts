import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { BIN, CliProcess, runCli } from '../../helpers/cli.js';
import { collect, freePort, tcpServer } from '../../helpers/servers.js';

/** The README's EOF table, row by row, through the real binary. */
const cleanups = cleanupAfterEach();

async function server(handler: (s: net.Socket) => void) {
  const srv = await tcpServer(handler);
  cleanups.push(() => srv.close());
  return srv;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('standard input EOF', () => {
  it('default: keeps receiving until the peer closes, and sends no FIN', async () => {
    let sawFin = false;
    const srv = await server((s) => {
      s.on('end', () => {
        sawFin = true;
      });
      setTimeout(() => s.end('late reply\n'), 400);
    });
    const r = await runCli(['--no-tui', '127.0.0.1', String(srv.port)], 'hello\n');
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe('late reply\n');
    expect(sawFin).toBe(false);
  });

  it('-N: shuts down the write side (FIN) and keeps receiving', async () => {
    const srv = await server((s) => {
      const parts: Buffer[] = [];
      s.on('data', (d: Buffer) => parts.push(d));
      s.on('end', () => s.end(`got ${Buffer.concat(parts).toString().trim()}\n`));
    });
    const r = await runCli(['-N', '127.0.0.1', String(srv.port)], 'ping\n');
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe('got ping\n');
  });

  it('-q <dur>: quits that long after EOF even though the peer stays open', async () => {
    const srv = await server((s) => s.write('hi\n'));
    const started = Date.now();
    const r = await runCli(['-q', '300ms', '127.0.0.1', String(srv.port)], 'x');
    const elapsed = Date.now() - started;
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe('hi\n');
    expect(elapsed).toBeGreaterThanOrEqual(300);
    expect(elapsed).toBeLessThan(5000);
  });

  it('--send-only: flushes everything, then quits on EOF', async () => {
    let received: Promise<{ data: Buffer }> | undefined;
    const srv = await server((s) => {
      received = collect(s);
      s.write('ignored\n');
    });
    const payload = randomBytes(4 << 20);
    const r = await runCli(['--send-only', '127.0.0.1', String(srv.port)], payload);
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBe(0);
    expect(sha((await received!).data)).toBe(sha(payload));
  });

  it('--recv-only: never reads standard input', async () => {
    let received: Promise<{ data: Buffer }> | undefined;
    const srv = await server((s) => {
      received = collect(s);
      setTimeout(() => s.end('only this\n'), 200);
    });
    const p = new CliProcess(['--recv-only', '127.0.0.1', String(srv.port)]);
    cleanups.push(() => p.kill());
    p.child.stdin.write('must not be sent\n');
    const r = await p.exited;
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe('only this\n');
    expect((await received!).data.length).toBe(0);
  });
});

describe('the peer ends the connection', () => {
  it('FIN: standard output gets every byte, exit 0', async () => {
    const payload = randomBytes(8 << 20);
    const srv = await server((s) => s.end(payload));
    const p = new CliProcess(['127.0.0.1', String(srv.port)]);
    cleanups.push(() => p.kill());
    const r = await p.exited;
    expect(r.code).toBe(0);
    expect(sha(r.stdout)).toBe(sha(payload));
  });

  it('RST: exit 1 with one line naming ECONNRESET', async () => {
    const srv = await server((s) => {
      s.write('partial');
      setTimeout(() => s.resetAndDestroy(), 100);
    });
    const p = new CliProcess(['127.0.0.1', String(srv.port)]);
    cleanups.push(() => p.kill());
    const r = await p.exited;
    expect(r.code).toBe(1);
    expect(r.stdout.toString()).toBe('partial');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/ECONNRESET: the peer reset the connection/);
  });
});

describe('timeouts', () => {
  it('-i: closes after that long without traffic', async () => {
    const srv = await server(() => {});
    const p = new CliProcess(['-v', '-i', '300ms', '127.0.0.1', String(srv.port)]);
    cleanups.push(() => p.kill());
    const r = await p.exited;
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/idle timeout/);
  });

  it('-w: connect timeout names ETIMEDOUT and the duration', async () => {
    // A listener with a full accept queue drops further SYNs, so ours goes unanswered.
    const script = [
      'import socket, time',
      's = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)',
      'fill = socket.create_connection(s.getsockname())',
      'print(s.getsockname()[1], flush=True)',
      'time.sleep(20)',
    ].join('\n');
    const py = spawn('python3', ['-c', script]);
    cleanups.push(() => py.kill());
    const port = await new Promise<number>((resolve) =>
      py.stdout.once('data', (d: Buffer) => resolve(Number(d))),
    );
    const r = await runCli(['-w', '500ms', '127.0.0.1', String(port)], '', 10_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ETIMEDOUT after 500ms: SYN unanswered/);
  });
});

describe('errors are one line with the errno and its meaning', () => {
  it('refused', async () => {
    const port = await freePort();
    const r = await runCli(['127.0.0.1', String(port)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `sockrepl: connect 127.0.0.1:${port}: ECONNREFUSED: nothing is listening there (the peer answered SYN with RST)\n`,
    );
  });

  it('bad host name', async () => {
    const r = await runCli(['no-such-host.invalid', '80']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^sockrepl: connect no-such-host\.invalid:80: (ENOTFOUND|EAI_AGAIN): .*host/);
    // What the address was for is named: a listen address, a source address (-s).
    const listen = await runCli(['listen', 'no-such-host.invalid', '8000']);
    expect(listen.stderr).toMatch(/^sockrepl: listen no-such-host\.invalid:8000: (ENOTFOUND|EAI_AGAIN): /);
    for (const args of [
      ['-s', '999.1.1.1', '127.0.0.1', '9'],
      ['-u', '-s', '999.1.1.1', '127.0.0.1', '9'],
    ]) {
      const r = await runCli(args);
      expect({ args, code: r.code }).toEqual({ args, code: 1 });
      expect(r.stderr).toMatch(/^sockrepl: bind 999\.1\.1\.1:0: (ENOTFOUND|EAI_AGAIN): [^\n]*\n$/);
    }
  });

  it('an empty host, or a source of the other address family, is a usage error', async () => {
    expect(await runCli(['', '9'])).toMatchObject({
      code: 2,
      stderr: 'sockrepl: connect: the host name is empty\n',
    });
    expect(await runCli(['listen', '', '9'])).toMatchObject({
      code: 2,
      stderr: 'sockrepl: listen: the host name is empty\n',
    });
    expect(await runCli(['-s', '::1', '127.0.0.1', '9'])).toMatchObject({
      code: 2,
      stderr: 'sockrepl: source ::1: an IPv6 source cannot reach 127.0.0.1 (IPv4)\n',
    });
  });

  it('usage errors exit 2', async () => {
    expect((await runCli(['127.0.0.1', '99999'])).code).toBe(2);
    expect((await runCli(['--bogus', '127.0.0.1', '1'])).stderr).toBe("sockrepl: unknown option '--bogus'\n");
    expect((await runCli(['listen'])).stderr).toBe(
      'sockrepl: listen: which port? sockrepl listen [host] <port>\n',
    );
    expect((await runCli(['--linger', 'soon', '127.0.0.1', '80'])).stderr).toMatch(
      /--linger: 'soon' is not a duration/,
    );
    expect((await runCli(['--bogus', '127.0.0.1', '80'])).code).toBe(2);
    expect((await runCli(['-u', '--nodelay', '127.0.0.1', '80'])).stderr).toMatch(
      /--nodelay applies to TCP only/,
    );
    // Pipe mode checks what it would otherwise ignore, before connecting.
    expect((await runCli(['-E', 'gbkk', '127.0.0.1', '1'])).stderr).toBe(
      "sockrepl: unknown encoding 'gbkk' (did you mean gbk, xgbk?)\n",
    );
    expect((await runCli(['--frame', 'lines', '127.0.0.1', '1'])).stderr).toMatch(
      /^sockrepl: --frame: pipe mode passes bytes/,
    );
    expect((await runCli(['-E', 'gbk', '127.0.0.1', '1'])).stderr).toMatch(
      /^sockrepl: -E: pipe mode passes bytes through unchanged; the encoding applies to -x/,
    );
    // -e runs a program now, as in ncat: the old `-e gbk` says where the encoding went.
    const stale = await runCli(['-e', 'gbk', '127.0.0.1', '1']);
    expect({ code: stale.code, stderr: stale.stderr }).toEqual({
      code: 2,
      stderr:
        "sockrepl: -e (--exec) runs a program now, as in ncat; 'gbk' is a text encoding: use -E gbk (--encoding)\n",
    });
  });

  it('listening on a taken port', async () => {
    const srv = await server(() => {});
    const r = await runCli(['listen', '127.0.0.1', String(srv.port)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^sockrepl: listen 127\.0\.0\.1:\d+: EADDRINUSE: another socket already listens/,
    );
  });

  it.skipIf(process.getuid?.() !== 0 || !existsSync('/usr/bin/setpriv'))(
    'a port below 1024 without privilege (run as nobody)',
    async (ctx) => {
      const asNobody = (args: string[]) =>
        spawnSync(
          'setpriv',
          ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, ...args],
          {
            encoding: 'utf8',
            timeout: 10_000,
          },
        );
      // The checkout must be readable by nobody (it is not under a private home directory, say).
      if (asNobody(['-e', `require('fs').accessSync(${JSON.stringify(BIN)})`]).status !== 0) ctx.skip();
      const r = asNobody([BIN, 'listen', '81']);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(
        'sockrepl: listen 0.0.0.0:81: EACCES: permission denied: ports below 1024 need root or CAP_NET_BIND_SERVICE\n',
      );
    },
  );

  it('connecting from a source port a listener owns', async () => {
    const owner = await server(() => {});
    const target = await server(() => {});
    const r = await runCli(['-p', String(owner.port), '127.0.0.1', String(target.port)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/EADDRINUSE: .*try another --source-port/);
  });
});
