import * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { CliProcess } from '../../helpers/cli.js';

/** `--json` data events of framed traffic: the whole frame, plus payload, payloadText and header. */

const cleanups = cleanupAfterEach();

const jsonLines = (out: Buffer) =>
  out
    .toString()
    .trim()
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** Sends a u32be-length frame of GBK "你好!" at once, and a json-header frame for any bytes it gets. */
async function server(): Promise<number> {
  const srv = net.createServer((s) => {
    s.on('error', () => {});
    s.write(Buffer.from('00000005c4e3bac321', 'hex'));
    s.once('data', () => {
      const head = Buffer.from('{"data_size":2,"kind":"greeting"}');
      const len = Buffer.alloc(4);
      len.writeUInt32BE(head.length);
      s.write(Buffer.concat([len, head, Buffer.from('hi')]));
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => srv.close(() => r())));
  return (srv.address() as net.AddressInfo).port;
}

describe('--json data events of framed traffic', () => {
  it('length and json-header frames carry payload, payloadText, payloadOffset and header', async () => {
    const port = await server();
    const p = new CliProcess(['--json', '-E', 'gbk', '--frame', 'length:u32be', '127.0.0.1', String(port)]);
    cleanups.push(() => p.kill());
    await p.waitForStdout((o) => o.includes('"frame":1'), 30_000);
    p.child.stdin.write('/inspect payload\n');
    await p.waitForStdout((o) => o.includes('"command":"inspect"'), 30_000);
    p.child.stdin.write('/frame json-header\n/hex 00\n');
    await p.waitForStdout((o) => o.includes('"kind":"greeting"'), 30_000);
    p.child.stdin.end('/quit\n');
    expect((await p.exited).code).toBe(0);
    const lines = jsonLines(p.stdout);
    const data = lines.filter((l) => l.type === 'data' && l.dir === 'in');
    expect(data[0]).toMatchObject({
      len: 9,
      hex: '00000005c4e3bac321',
      frame: 1,
      payload: 'c4e3bac321',
      payloadText: '你好!',
      payloadOffset: 4,
      header: { length: 5 },
    });
    const inspect = lines.find((l) => l.command === 'inspect') as {
      lines: string[];
      data: Record<string, unknown>;
    };
    expect(inspect.lines[0]).toBe(
      'message: connection 1 in, payload of frame 1, 5 bytes from frame byte 4; offset 0',
    );
    expect(inspect.data).toMatchObject({ offset: 0, length: 5, payload: { at: 4 } });
    // Offsets count from the payload: uint8 at 0 is 0xc4, not the length field's 0.
    expect(inspect.lines).toContain('  uint8      196');
    const greeting = data.find((l) => (l.header as { kind?: string } | undefined)?.kind === 'greeting');
    expect(greeting).toMatchObject({
      payload: '6869',
      payloadText: 'hi',
      payloadOffset: 37,
      header: { data_size: 2, kind: 'greeting' },
    });
  }, 60_000);

  it('unframed data events have no payload fields', async () => {
    const port = await server();
    const p = new CliProcess(['--json', '127.0.0.1', String(port)]);
    cleanups.push(() => p.kill());
    await p.waitForStdout((o) => o.includes('"type":"data"'), 30_000);
    p.child.stdin.end('/quit\n');
    await p.exited;
    const data = jsonLines(p.stdout).find((l) => l.type === 'data')!;
    expect(Object.keys(data)).not.toContain('payload');
    expect(Object.keys(data)).not.toContain('header');
  }, 60_000);
});
