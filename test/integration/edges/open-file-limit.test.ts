import { execFileSync } from 'node:child_process';
import * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { nearOpenFileLimit, openFileLimit } from '../../../src/net/open-file-limit.js';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { CliProcess } from '../../helpers/cli.js';
import { has } from '../../helpers/peers.js';
import { waitUntil } from '../../helpers/processes.js';

/**
 * Past its limit of open files a listener's accept() fails and libuv closes such clients unseen.
 * sockrepl turns a client away while a few descriptors are still free, and says why.
 */
const cleanups = cleanupAfterEach();

describe('the open-file limit', () => {
  it('reads the limit this process has, and counts in use from the descriptor number', () => {
    const limit = openFileLimit();
    expect(limit).toBeGreaterThan(64);
    expect(nearOpenFileLimit(10)).toBeUndefined();
    expect(nearOpenFileLimit(limit! - 1)).toBe(
      `${limit} of the ${limit} open files this process may have are in use (ulimit -n); raise the limit to serve more clients`,
    );
  });

  it.skipIf(!has('prlimit'))(
    'listen -k turns clients away near it, says why once, and serves again when clients leave',
    async () => {
      const p = new CliProcess(['listen', '-k', '-v', '127.0.0.1', '0']);
      const clients: net.Socket[] = [];
      cleanups.push(async () => {
        for (const c of clients) c.destroy();
        p.child.kill('SIGTERM');
        await p.exited;
      });
      const port = await p.listeningPort();
      // Only this test's own child: a limit of 128 leaves room for about 40 clients.
      execFileSync('prlimit', ['--pid', String(p.child.pid), '--nofile=128:128']);

      const closed = new Set<net.Socket>();
      for (let i = 0; i < 100; i++) {
        const c = net.connect(port, '127.0.0.1');
        c.on('error', () => {});
        c.on('close', () => closed.add(c));
        clients.push(c);
        await new Promise((resolve) => c.once('connect', resolve).once('close', resolve));
      }
      // A client is connected once the kernel queued it: wait until the listener took every one.
      const count = (re: RegExp) => (p.stderr.match(re) ?? []).length;
      await waitUntil(
        () => count(/^Connection received on /gm) + count(/^Refused connection from /gm) === 100,
        'all 100 clients accepted or refused',
        30_000,
      );
      const refused = count(/^Refused connection from /gm);
      expect(refused).toBeGreaterThan(0);
      const said = p.stderr.match(/^sockrepl: accept on 127\.0\.0\.1:\d+: .*$/gm) ?? [];
      expect(said).toHaveLength(1);
      expect(said[0]).toMatch(/: \d+ of the 128 open files this process may have are in use \(ulimit -n\)/);
      await waitUntil(() => closed.size === refused, 'each refused client closed', 20_000);
      const served = clients.filter((c) => !closed.has(c));
      expect(served.length).toBe(100 - refused);
      expect(served.length).toBeGreaterThan(10);

      // Clients leave; the next one is served, its bytes reach standard output.
      for (const c of served.slice(0, 10)) c.destroy();
      await waitUntil(() => count(/closed: /g) >= 10, 'ten closed', 20_000);
      const late = net.connect(port, '127.0.0.1');
      clients.push(late);
      late.on('error', () => {});
      late.write('late client\n');
      await p.waitForStdout((out) => out.includes('late client\n'));
    },
    60_000,
  );
});
