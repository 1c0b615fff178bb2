/**
 * sockrepl as a test library: a project's own vitest (or jest) tests drive its server through the
 * same API `sockrepl run script.ts` gives. After `npm install --save-dev sockrepl` this file works
 * as it is; in this repository `sockrepl` resolves to the package itself (after `npm run build`).
 */

import { connect, listen, TimeoutError, type Tube, unpack } from 'sockrepl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKvServer } from './kv-server.js';

let server: Awaited<ReturnType<typeof startKvServer>>;
let kv: Tube;

beforeAll(async () => {
  server = await startKvServer();
  kv = await connect('127.0.0.1', server.port, { nodelay: true, timeout: '2s' });
});

afterAll(async () => {
  await kv.close();
  await server.close();
});

describe('the key-value server', () => {
  it('stores and returns values', async () => {
    await kv.sendLine('SET greeting hello world');
    await kv.expect('OK\n');
    await kv.sendLine('GET greeting');
    const m = await kv.expect(/^VALUE (.*)\n/);
    expect(m[1]).toBe('hello world');
  });

  it('says NOT_FOUND for a missing key, and deletes', async () => {
    await kv.sendLine('GET nothing');
    expect((await kv.recvLine({ keepEnds: false })).toString()).toBe('NOT_FOUND');
    await kv.sendLine('DEL greeting');
    await kv.expect('DELETED 1\n');
  });

  it('sends a binary record that parses whatever the segmentation', async () => {
    await kv.sendLine('SET blob abc');
    await kv.expect('OK\n');
    await kv.sendLine('BIN blob');
    const [length] = unpack('>H', await kv.recvExactly(2)) as [number];
    const value = await kv.recvExactly(length);
    const [sum] = unpack('>I', await kv.recvExactly(4));
    expect(value.toString()).toBe('abc');
    expect(sum).toBe(0x61 + 0x62 + 0x63);
  });

  it('does not answer an unknown command with a value (a timeout carries what did arrive)', async () => {
    await kv.sendLine('FLY away');
    const err = await kv.expect(/^VALUE/, { timeout: 200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).received.toString()).toBe('ERROR unknown command FLY\n');
    // What arrived stays buffered for the next call.
    await kv.expect('ERROR unknown command FLY\n');
  });

  it('serves many clients at once', async () => {
    const clients = await Promise.all([1, 2, 3].map(() => connect('127.0.0.1', server.port)));
    await Promise.all(clients.map((c, i) => c.sendLine(`SET k${i} v${i}`)));
    await Promise.all(clients.map((c) => c.expect('OK\n')));
    await kv.sendLine('GET k2');
    await kv.expect('VALUE v2\n');
    await Promise.all(clients.map((c) => c.close()));
  });
});

describe('a fake server for a client under test', () => {
  it('plays the server side with listen()', async () => {
    const fake = await listen(0, { host: '127.0.0.1', timeout: '2s' });
    // The "client under test" here is a plain tube; in a real project it is your client code.
    const client = await connect('127.0.0.1', fake.port);
    const peer = await fake.accept();
    await client.sendLine('HELLO');
    await peer.expect('HELLO\n');
    await peer.send('WELCOME\n');
    await client.expect('WELCOME\n');
    await client.close();
    await peer.expect('eof');
    await fake.close();
  });
});
