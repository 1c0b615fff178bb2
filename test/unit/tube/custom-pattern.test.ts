import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CustomPattern } from '../../../src/tube/matchers.js';
import { Tube } from '../../../src/tube/tube.js';
import { connectChannel, type TestServer, testServer, writeChunked } from '../../helpers/test-server.js';

/** A length-prefixed message (u16be length, then the body) anywhere at the front of the buffer. */
const message: CustomPattern = {
  description: 'message',
  find(buffer) {
    const bytes = buffer.peek();
    if (bytes.length < 2) return undefined;
    const end = 2 + bytes.readUInt16BE(0);
    if (bytes.length < end) return undefined;
    return { start: 0, end, values: [bytes.subarray(2, end).toString()], data: end - 2 };
  },
};

let server: TestServer;
const tubes: Tube[] = [];
beforeEach(async () => {
  server = await testServer();
});
afterEach(async () => {
  for (const t of tubes.splice(0)) t.channel.reset();
  await server.close();
});

describe('custom patterns', () => {
  it.each(['whole', 'bytewise'] as const)('match whatever the chunking (%s)', async (mode) => {
    const tube = new Tube(await connectChannel(server.port), { timeout: 5000 });
    tubes.push(tube);
    const peer = await server.nextClient();
    const wire = Buffer.concat([
      Buffer.from([0, 5]),
      Buffer.from('hello'),
      Buffer.from([0, 2]),
      Buffer.from('okTAIL'),
    ]);
    const writing = writeChunked(peer, wire, mode, 1);
    const first = await tube.expect(message);
    const second = await tube.expectAny(['nope', message]);
    const tail = await tube.recvExactly(4);
    await writing;
    expect([first.kind, first[0], first.data, first.bytes.length]).toEqual(['custom', 'hello', 5, 7]);
    expect([second.which, second[0], second.data]).toEqual([1, 'ok', 2]);
    expect(tail.toString()).toBe('TAIL');
  });

  it('name their description in a timeout', async () => {
    const tube = new Tube(await connectChannel(server.port));
    tubes.push(tube);
    const peer = await server.nextClient();
    peer.write(Buffer.from([0, 9, 0xff]));
    await expect(tube.expect(message, { timeout: 100 })).rejects.toThrow(
      'timed out after 100ms waiting for message; received 3 bytes: hex:"00 09 ff"',
    );
  });
});
