import * as dgram from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { CliProcess } from '../../helpers/cli.js';
import { parseJsonEvents } from '../../helpers/json-events.js';

/** An empty datagram is a datagram: `/send ""` and `/hex ""` send one over UDP, as nc -u cannot. */
const cleanups = cleanupAfterEach();

describe('empty UDP datagrams from the prompt', () => {
  it('/send "" and /hex "" each arrive as a zero-length datagram, between the others', async () => {
    const sizes: number[] = [];
    const sock = dgram.createSocket('udp4');
    sock.on('message', (m) => sizes.push(m.length));
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    cleanups.push(() => sock.close());
    const p = new CliProcess(['--json', '-u', '127.0.0.1', String(sock.address().port)]);
    cleanups.push(() => p.kill());
    await p.waitForStdout((o) => o.includes('"type":"open"'), 30_000);
    p.child.stdin.write('/send "a"\n/send ""\n/hex ""\n/hex 62\n');
    const deadline = Date.now() + 30_000;
    while (sizes.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    p.child.stdin.end('/quit\n');
    await p.exited;
    expect(sizes).toEqual([1, 0, 0, 1]);
    expect(p.stdout.toString()).not.toMatch(/"type":"error"/);
    expect(
      parseJsonEvents(p.stdout)
        .filter((e) => e.type === 'data')
        .map((e) => e.len),
    ).toEqual([1, 0, 0, 1]);
  }, 60_000);
});
