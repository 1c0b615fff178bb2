import { afterEach, describe, expect, it } from 'vitest';
import { createInterpreter, createSession, startSession } from '../../../src/modes/open-session.js';
import type { Session } from '../../../src/session/session.js';
import { defaultOptions, startServer, type TestServer, until } from '../../helpers/session-fixtures.js';

/**
 * `close` of a connection the peer already ended (a reset, or its FIN after ours) succeeds and
 * says so, as closing a closed tube does in pwntools: a recorded script ending in `close` replays
 * even when the server hangs up first. No connection at all, or one that never existed, is still
 * an error. Real loopback sockets; the waits are on the connection's state.
 */

let server: TestServer | undefined;
let session: Session | undefined;

afterEach(async () => {
  await session?.close();
  await server?.close();
  session = undefined;
  server = undefined;
});

async function connected() {
  server = await startServer();
  const spec = { kind: 'connect' as const, host: '127.0.0.1', port: server.port, options: defaultOptions() };
  session = await createSession(spec, { kernelRefreshMs: 0 });
  await startSession(session, spec);
  const peer = await server.nextSocket();
  const conn = [...session.conns.values()][0]!;
  return { s: session, peer, conn, run: createInterpreter(session) };
}

describe('close of a connection that is already over', () => {
  it('after the peer reset it: succeeds, saying so', async () => {
    const { peer, conn, run } = await connected();
    peer.resetAndDestroy();
    await until(() => conn.closed !== undefined);
    expect(conn.closed?.reason).toBe('reset');
    const r = await run.execute('/close');
    expect(r).toMatchObject({ ok: true, lines: [`connection ${conn.id} was already closed (reset)`] });
  });

  it('after our FIN and then the peer FIN (closed with reason eof), also when it is the selected one', async () => {
    const { s, peer, conn, run } = await connected();
    s.select(conn.id);
    expect((await run.execute('/shutdown write')).ok).toBe(true);
    peer.end();
    await until(() => conn.closed !== undefined);
    expect(conn.closed?.reason).toBe('eof');
    const r = await run.execute('/close');
    expect(r).toMatchObject({ ok: true, lines: [`connection ${conn.id} was already closed (eof)`] });
    // And again: a second close is as harmless as the first.
    expect((await run.execute('/close')).ok).toBe(true);
  });

  it('shutdown write of one the peer already ended also succeeds (a recording that replays)', async () => {
    const { peer, conn, run } = await connected();
    peer.resetAndDestroy();
    await until(() => conn.closed !== undefined);
    const r = await run.execute('/shutdown write');
    expect(r).toMatchObject({ ok: true, lines: [`connection ${conn.id} was already closed (reset)`] });
  });

  it('an open one closes as before', async () => {
    const { conn, run } = await connected();
    const r = await run.execute('/close');
    expect(r).toMatchObject({ ok: true, lines: [`connection ${conn.id} closed`] });
    expect(conn.closed?.reason).toBe('local');
  });

  it('with no connection ever made, it is still an error', async () => {
    const spec = { kind: 'listen' as const, host: '127.0.0.1', port: 0, options: defaultOptions() };
    session = await createSession(spec, { kernelRefreshMs: 0 });
    await startSession(session, spec);
    const r = await createInterpreter(session).execute('/close');
    expect(r.ok).toBe(false);
    expect(r.lines[0]).toMatch(/no client has connected yet/);
  });
});
