import { describe, expect, it } from 'vitest';
import { connect, listen, spawn, Tube } from '../../../src/index.js';
import { cleanupAfterEach } from '../../helpers/cleanups.js';

/** The library's spawn(): a local program as the same tube connect() gives (pwntools' process()). */

const cleanups = cleanupAfterEach();

/** The same steps against any tube: a program's or a socket's. */
async function login(t: Tube): Promise<string> {
  await t.recvUntil('login: ', { timeout: '5s' });
  await t.sendLine('alice');
  await t.recvUntil('password: ', { timeout: '5s' });
  await t.sendLine('s3cret');
  const m = await t.expect(/OK welcome (\w+)/, { timeout: '5s' });
  return m[1]!;
}

const LOGIN =
  'printf "login: "; read u; printf "password: "; read p; [ "$p" = s3cret ] && echo "OK welcome $u"';

describe('spawn()', () => {
  it('is the same tube as connect(): the same steps drive the program and a socket', async () => {
    const local = await spawn('sh', ['-c', LOGIN]);
    cleanups.push(() => local.close());
    expect(local).toBeInstanceOf(Tube);
    expect(await login(local)).toBe('alice');
    expect(await local.wait()).toEqual({ code: 0, signal: null });
    expect(local.exitCode).toBe(0);

    // The same program on the other end of a socket, answering through a library listener.
    const server = await listen(0, { host: '127.0.0.1' });
    cleanups.push(() => server.close());
    const client = await connect('127.0.0.1', server.port);
    cleanups.push(() => client.close());
    const peer = await server.accept();
    const program = await spawn('sh', ['-c', LOGIN]);
    cleanups.push(() => program.close());
    peer.channel.on('data', (d) => program.send(d));
    program.channel.on('data', (d) => peer.send(d));
    expect(await login(client)).toBe('alice');
  });

  it('reports exit codes and signals; kill() signals it', async () => {
    const five = await spawn('sh', ['-c', 'exit 5']);
    expect(await five.wait()).toEqual({ code: 5, signal: null });
    expect([five.exitCode, five.signal]).toEqual([5, null]);
    const sleeper = await spawn('sleep', ['60']);
    cleanups.push(() => sleeper.close());
    expect(sleeper.exitCode).toBe(null);
    sleeper.kill('INT');
    expect(await sleeper.wait()).toEqual({ code: null, signal: 'SIGINT' });
    expect(sleeper.signal).toBe('SIGINT');
  });

  it('close() ends its input and waits for it', async () => {
    const cat = await spawn('cat');
    await cat.send('bytes');
    expect((await cat.recvExactly(5, { timeout: '5s' })).toString()).toBe('bytes');
    await cat.close();
    expect(cat.exitCode).toBe(0);
  });

  it('pty: a terminal of the size asked, in cwd, with env', async () => {
    const t = await spawn('sh', ['-c', 'stty size; pwd; echo $GREETING'], {
      pty: true,
      size: '100x30',
      cwd: '/tmp',
      env: { PATH: process.env.PATH, GREETING: 'hi there' },
    });
    cleanups.push(() => t.close());
    await t.recvUntil('30 100', { timeout: '5s' });
    await t.recvUntil('/tmp', { timeout: '5s' });
    await t.recvUntil('hi there', { timeout: '5s' });
    expect(await t.wait()).toEqual({ code: 0, signal: null });
  });

  it('a missing program or a bad size is one clear error', async () => {
    await expect(spawn('no-such-program-here')).rejects.toThrow('exec no-such-program-here: ENOENT');
    await expect(spawn('cat', [], { pty: true, size: 'big' })).rejects.toThrow(
      /size: 'big' is not a terminal size/,
    );
  });
});
