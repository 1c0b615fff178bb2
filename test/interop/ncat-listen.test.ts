import { execFileSync } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../helpers/cleanups.js';
import { parseJsonEvents } from '../helpers/json-events.js';
import {
  HAVE_IPV6,
  HAVE_NCAT,
  HAVE_OPENBSD_NC,
  listeningOn,
  type Running,
  startTool,
  type Tool,
  tcpProbe,
  until,
  waitListening,
} from '../helpers/peers.js';
import { freePort } from '../helpers/servers.js';

/**
 * Listening as ncat listens: the same scenario is put to ncat and to sockrepl, and a client must
 * see the same thing from both (families, the connection limit). OpenBSD nc is run where it
 * differs on purpose (README, "sockrepl, nc and ncat"), to pin what it does.
 */

const cleanups = cleanupAfterEach();

/** The listen command line of each tool for the same request. */
function listenArgs(tool: Tool, flags: string[], port: number, host?: string): string[] {
  const where = host === undefined ? [String(port)] : [host, String(port)];
  return tool === 'sockrepl' ? ['listen', ...flags, ...where] : ['-l', ...flags, ...where];
}

function start(tool: Tool, flags: string[], port: number, host?: string): Running {
  const r = startTool(tool, listenArgs(tool, flags, port, host));
  cleanups.push(() => r.kill());
  return r;
}

const TOOLS: Tool[] = HAVE_NCAT ? ['ncat', 'sockrepl'] : ['sockrepl'];

describe.skipIf(!HAVE_IPV6)('-6 and -4 restrict a listener to one family', () => {
  it.each(TOOLS)('%s -6 -k: IPv6 only (IPV6_V6ONLY), an IPv4 listener may share the port', async (tool) => {
    const port = await freePort();
    // Someone else's IPv4 listener on the port: an IPv6-only listener does not collide with it.
    const v4 = net.createServer((s) => s.end('v4 listener\n'));
    await new Promise<void>((resolve) => v4.listen(port, '0.0.0.0', resolve));
    cleanups.push(() => new Promise((resolve) => v4.close(resolve)));
    const p = start(tool, ['-6', '-k'], port);
    await until(() => listeningOn(port).includes('[::]'), 10_000, 'the IPv6 listener');
    expect(p.child.exitCode).toBeNull();
    expect((await tcpProbe('127.0.0.1', port)).data).toBe('v4 listener\n');
    const six = await tcpProbe('::1', port, 'over six\n');
    expect(six.connected).toBe(true);
    await until(() => p.stdout().includes('over six\n'));
  });

  it.each(TOOLS)('%s -4 -k: IPv4 only', async (tool) => {
    const port = await freePort();
    start(tool, ['-4', '-k'], port);
    await waitListening(port);
    expect(listeningOn(port)).toEqual(['0.0.0.0']);
    expect((await tcpProbe('::1', port)).error).toBe('ECONNREFUSED');
    expect((await tcpProbe('127.0.0.1', port)).connected).toBe(true);
  });

  it.each(TOOLS)(
    '%s -u -6: an IPv4 datagram goes to the IPv4 socket on the port, not to it',
    async (tool) => {
      const port = await freePort();
      const v4 = dgram.createSocket('udp4');
      await new Promise<void>((resolve) => v4.bind(port, '0.0.0.0', resolve));
      cleanups.push(() => v4.close());
      let atV4 = '';
      v4.on('message', (m) => {
        atV4 += m;
      });
      const p = start(tool, ['-u', '-6'], port);
      await until(() => listeningOn(port, 'udp').includes('[::]'), 10_000, 'the IPv6 UDP socket');
      const sender4 = dgram.createSocket('udp4');
      const sender6 = dgram.createSocket('udp6');
      cleanups.push(() => sender4.close());
      cleanups.push(() => sender6.close());
      sender4.send('to four\n', port, '127.0.0.1');
      sender6.send('to six\n', port, '::1');
      await until(() => atV4 === 'to four\n' && p.stdout() === 'to six\n');
    },
  );

  it.skipIf(!HAVE_OPENBSD_NC)(
    'OpenBSD nc -6 takes both families on one socket (sockrepl follows ncat)',
    async () => {
      const port = await freePort();
      start('nc', ['-6', '-k'], port);
      await waitListening(port);
      expect(listeningOn(port)).toEqual(['*']);
    },
  );
});

describe('--max-conns', () => {
  it.each(TOOLS)(
    '%s -k --max-conns 0: every client is accepted, then closed; it goes on listening',
    async (tool) => {
      const port = await freePort();
      const p = start(tool, ['-k', '--max-conns', '0'], port);
      await waitListening(port);
      for (let i = 0; i < 3; i++) {
        const seen = await tcpProbe('127.0.0.1', port);
        expect(seen).toMatchObject({ connected: true, data: '', ended: 'fin' });
      }
      expect(p.child.exitCode).toBeNull();
    },
  );

  it.each(TOOLS)('%s --broker --max-conns 0 turns every client away too', async (tool) => {
    const port = await freePort();
    const p = start(tool, ['--broker', '--max-conns', '0'], port);
    await waitListening(port);
    expect(await tcpProbe('127.0.0.1', port)).toMatchObject({ connected: true, data: '', ended: 'fin' });
    expect(p.child.exitCode).toBeNull();
  });

  it.each(TOOLS)(
    '%s -k --max-conns 1: the second client is closed; once the first leaves, a new one is served',
    async (tool) => {
      const port = await freePort();
      const p = start(tool, ['-k', '--max-conns', '1'], port);
      await waitListening(port);
      const first = net.connect({ port, host: '127.0.0.1' });
      first.on('error', () => {});
      first.write('first\n');
      await until(() => p.stdout().includes('first\n'));
      expect(await tcpProbe('127.0.0.1', port)).toMatchObject({ connected: true, data: '', ended: 'fin' });
      first.end();
      await new Promise((resolve) => first.on('close', resolve));
      // The slot is free once the listener has seen the first client go: until then a new client
      // is closed at once; then one stays connected and is served.
      let served = -1;
      for (let i = 0; i < 50 && served < 0; i++) {
        if ((await tcpProbe('127.0.0.1', port, `third ${i}\n`)).ended === 'open') served = i;
      }
      await until(() => p.stdout().includes(`third ${served}\n`));
    },
  );
});

describe.skipIf(!HAVE_IPV6)('with no address, a listener takes both families', () => {
  it.each(TOOLS)('%s -k: TCP on 0.0.0.0 and [::], a client of each family served', async (tool) => {
    const port = await freePort();
    const p = start(tool, ['-k'], port);
    expect(await waitListening(port, 'tcp', 2)).toEqual(['0.0.0.0', '[::]']);
    for (const host of ['127.0.0.1', '::1']) {
      const seen = await tcpProbe(host, port, `over ${host}\n`);
      expect(seen.connected).toBe(true);
      await until(() => p.stdout().includes(`over ${host}\n`));
    }
  });

  it.each(TOOLS)('%s -u: UDP on 0.0.0.0 and [::]', async (tool) => {
    const port = await freePort();
    const p = start(tool, ['-u'], port);
    expect(await waitListening(port, 'udp', 2)).toEqual(['0.0.0.0', '[::]']);
    const s = dgram.createSocket('udp6');
    cleanups.push(() => s.close());
    s.send('six\n', port, '::1');
    await until(() => p.stdout() === 'six\n');
  });

  it.skipIf(!HAVE_OPENBSD_NC)('OpenBSD nc takes IPv4 only (sockrepl follows ncat)', async () => {
    const port = await freePort();
    start('nc', ['-k'], port);
    expect(await waitListening(port)).toEqual(['0.0.0.0']);
  });

  it('sockrepl says both in -v and --json, and puts every socket option on each socket', async () => {
    const port = await freePort();
    const v = start('sockrepl', ['-k', '-v', '--rcvbuf', '64k'], port);
    await until(() => /Listening on :: /.test(v.stderr()));
    expect(v.stderr()).toMatch(
      new RegExp(`^Listening on 0\\.0\\.0\\.0 ${port}\\nListening on :: ${port}\\n`),
    );
    const mem = execFileSync('ss', ['-ltnmH', `sport = :${port}`]).toString();
    expect(mem.match(/rb131072/g)).toHaveLength(2);
    v.kill();
    const j = start('sockrepl', ['-k', '--json'], 0);
    await until(() => j.stdout().includes('"listening"'));
    const event = parseJsonEvents(j.stdout().split('\n')[0]!)[0]!;
    expect(event).toMatchObject({ type: 'listening', address: '0.0.0.0' });
    expect(event.addresses.map((a: { address: string }) => a.address)).toEqual(['0.0.0.0', '::']);
    expect(new Set(event.addresses.map((a: { port: number }) => a.port))).toEqual(new Set([event.port]));
  });
});

describe.skipIf(!HAVE_IPV6)('--broker with clients of both families', () => {
  /** Client A (IPv4) speaks, then standard input: what each client receives. */
  async function brokerRound(tool: Tool, flags: string[]): Promise<{ a: string; b: string }> {
    const port = await freePort();
    const p = start(tool, ['--broker', ...flags], port);
    await waitListening(port, 'tcp', 2);
    const a = net.connect({ port, host: '127.0.0.1' });
    const b = net.connect({ port, host: '::1' });
    const got = { a: '', b: '' };
    for (const [name, s] of [
      ['a', a],
      ['b', b],
    ] as const) {
      s.on('error', () => {});
      s.on('data', (d: Buffer) => {
        got[name] += d;
      });
      cleanups.push(() => s.destroy());
      await new Promise((resolve) => s.once('connect', resolve));
    }
    // Both are connected once the listener has had a moment to accept them; then A speaks.
    await until(() => listeningOn(port).length === 2);
    await new Promise((r) => setTimeout(r, 300));
    a.write('from a\n');
    await new Promise((r) => setTimeout(r, 300));
    p.child.stdin.write('from stdin\n');
    const expectStdin = !flags.includes('--recv-only');
    await until(() => !expectStdin || (got.a.includes('from stdin') && got.b.includes('from stdin')));
    await new Promise((r) => setTimeout(r, 300));
    return got;
  }

  it.each(TOOLS)('%s --broker: A (IPv4) reaches B (IPv6); standard input reaches both', async (tool) => {
    expect(await brokerRound(tool, [])).toEqual({ a: 'from stdin\n', b: 'from a\nfrom stdin\n' });
  });

  it.each(TOOLS)('%s --broker --send-only: only standard input reaches the clients', async (tool) => {
    expect(await brokerRound(tool, ['--send-only'])).toEqual({ a: 'from stdin\n', b: 'from stdin\n' });
  });

  it.each(TOOLS)('%s --broker --recv-only: nothing is sent to any client', async (tool) => {
    expect(await brokerRound(tool, ['--recv-only'])).toEqual({ a: '', b: '' });
  });
});
