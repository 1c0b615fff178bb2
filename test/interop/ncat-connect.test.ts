import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanupAfterEach } from '../helpers/cleanups.js';
import { createNetns, type Netns, netnsSupport } from '../helpers/netns.js';
import { HAVE_NCAT, type Running, until } from '../helpers/peers.js';

/**
 * Connecting to a name with several addresses, as ncat does: in a network namespace of the test's
 * own, `dual.test` is ::1 and 127.0.0.1 (its /etc/hosts), so which address answers is up to the
 * test. Each scenario is put to sockrepl and, where it has the flag, to ncat.
 */

const cleanups = cleanupAfterEach();
const unsupported = netnsSupport();
let ns: Netns;
let nextPort = 40_000;
const port = () => nextPort++;

beforeAll(() => {
  if (!unsupported) ns = createNetns({ 'dual.test': ['::1', '127.0.0.1'] });
});
afterAll(() => ns?.remove());

function run(r: Running): Running {
  cleanups.push(() => r.kill());
  return r;
}

/** A TCP listener inside the namespace on one address, printing what it receives. */
async function listenerOn(address: string, p: number): Promise<Running> {
  const l = run(ns.sockrepl(['listen', '-k', '-v', address, String(p)]));
  await until(() => /Listening on/.test(l.stderr()), 10_000, 'the listener');
  return l;
}

/** A listener on ::1 whose accept queue is full: further SYNs are dropped, never answered. */
async function silentOn(p: number): Promise<Running> {
  const script = `
import socket, time
s = socket.socket(socket.AF_INET6); s.bind(('::1', ${p})); s.listen(0)
held = []
for _ in range(3):
    c = socket.socket(socket.AF_INET6); c.setblocking(False)
    try: c.connect(('::1', ${p}))
    except BlockingIOError: pass
    held.append(c)
time.sleep(0.5); print('full', flush=True); time.sleep(120)`;
  const r = run(ns.spawn(['python3', '-c', script]));
  await until(() => r.stdout().includes('full'), 10_000, 'a full accept queue');
  return r;
}

describe.skipIf(unsupported !== undefined)(
  `a name with several addresses${unsupported ? ` (skipped: ${unsupported})` : ''}`,
  () => {
    vi.setConfig({ testTimeout: 60_000 });

    it('the resolver of the namespace gives ::1 first, then 127.0.0.1', () => {
      const lines = ns.exec(['getent', 'ahosts', 'dual.test']);
      expect(lines).toMatch(/^::1 [\s\S]*127\.0\.0\.1/);
    });

    const clients = HAVE_NCAT ? (['sockrepl', 'ncat'] as const) : (['sockrepl'] as const);

    it.each(clients)('%s: ::1 refuses, 127.0.0.1 answers: it connects there', async (tool) => {
      const p = port();
      const l = await listenerOn('127.0.0.1', p);
      const c = run(
        tool === 'sockrepl'
          ? ns.sockrepl(['-N', 'dual.test', String(p)])
          : ns.spawn(['ncat', 'dual.test', String(p)]),
      );
      c.child.stdin.end(`hello from ${tool}\n`);
      await until(() => l.stdout().includes(`hello from ${tool}\n`));
    });

    it('every address refuses: exit 1 (as ncat), and the error names each address tried', async () => {
      const p = port();
      const c = run(ns.sockrepl(['dual.test', String(p)]));
      c.child.stdin.end();
      expect(await c.exited).toBe(1);
      expect(c.stderr()).toMatch(new RegExp(`ECONNREFUSED.*tried \\[::1\\]:${p}, 127\\.0\\.0\\.1:${p}`));
      expect(c.stderr().trim().split('\n')).toHaveLength(1);
      if (HAVE_NCAT) {
        const n = run(ns.spawn(['ncat', 'dual.test', String(p)]));
        n.child.stdin.end();
        expect(await n.exited).toBe(1);
      }
    });

    it('-s 127.0.0.1 tries only the IPv4 address; -p keeps its source port across the fallback', async () => {
      const p = port();
      const l = await listenerOn('127.0.0.1', p);
      const s = run(ns.sockrepl(['-N', '-s', '127.0.0.1', 'dual.test', String(p)]));
      s.child.stdin.end('via -s\n');
      expect(await s.exited).toBe(0);
      const source = port();
      const q = run(ns.sockrepl(['-N', '-p', String(source), 'dual.test', String(p)]));
      q.child.stdin.end('via -p\n');
      await until(() => l.stdout().includes('via -s\n') && l.stdout().includes('via -p\n'));
      expect(l.stderr()).toMatch(new RegExp(`Connection received on 127\\.0\\.0\\.1 ${source}`));
      const six = run(ns.sockrepl(['-s', '::1', 'dual.test', String(p)]));
      six.child.stdin.end();
      expect(await six.exited).toBe(1);
      expect(six.stderr()).toMatch(new RegExp(`connect \\[::1\\]:${p}: ECONNREFUSED`));
    });

    it('an address that never answers costs a moment, not the whole -w', async () => {
      const p = port();
      await silentOn(p);
      const l = await listenerOn('127.0.0.1', p);
      const c = run(ns.sockrepl(['-N', '-w', '20s', 'dual.test', String(p)]));
      c.child.stdin.end('past the silent one\n');
      await until(() => l.stdout().includes('past the silent one\n'), 15_000);
    });

    it('-w bounds the whole attempt; the error says what each address did', async () => {
      const p = port();
      await silentOn(p);
      const c = run(ns.sockrepl(['-w', '1s', 'dual.test', String(p)]));
      c.child.stdin.end();
      expect(await c.exited).toBe(1);
      expect(c.stderr()).toMatch(new RegExp(`ETIMEDOUT after 1s: tried .*\\[::1\\]:${p} \\(no answer\\)`));
      expect(c.stderr()).toMatch(new RegExp(`127\\.0\\.0\\.1:${p} \\(ECONNREFUSED\\)`));
    });

    it.each(clients)('%s -n refuses a name (exit 2), takes a numeric address', async (tool) => {
      const args = ['-n', 'dual.test', '1'];
      const c = run(tool === 'sockrepl' ? ns.sockrepl(args) : ns.spawn(['ncat', ...args]));
      c.child.stdin.end();
      expect(await c.exited).toBe(2);
      if (tool === 'sockrepl')
        expect(c.stderr()).toMatch(/dual\.test: a host name, but name lookups are off \(-n\)/);
      const p = port();
      const l = await listenerOn('::1', p);
      const ok = run(
        tool === 'sockrepl'
          ? ns.sockrepl(['-n', '-N', '::1', String(p)])
          : ns.spawn(['ncat', '-n', '::1', String(p)]),
      );
      ok.child.stdin.end('numeric\n');
      await until(() => l.stdout().includes('numeric\n'));
    });
  },
);
