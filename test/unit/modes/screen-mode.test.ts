import { afterEach, describe, expect, it, vi } from 'vitest';
import { runTui } from '../../../src/modes/screen-mode.js';
import { defaultOptions, startServer, type TestServer } from '../../helpers/session-fixtures.js';

// The screen itself fails at once, as a bug in a component would.
vi.mock('../../../src/ui/mount.js', () => ({
  mountApp: async () => {
    throw new Error('the screen failed');
  },
}));

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('runTui', () => {
  it('closes the connection when the screen fails, so the process can end', async () => {
    server = await startServer();
    const run = runTui({ kind: 'connect', host: '127.0.0.1', port: server.port, options: defaultOptions() });
    const peer = await server.nextSocket();
    const ended = new Promise<void>((resolve) => peer.once('end', () => resolve()));
    await expect(run).rejects.toThrow('the screen failed');
    await ended;
  }, 5000);
});
