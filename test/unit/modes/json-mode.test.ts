import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runJson } from '../../../src/modes/json-mode.js';
import { parseJsonEvents } from '../../helpers/json-events.js';
import { defaultOptions, startServer, type TestServer, until } from '../../helpers/session-fixtures.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function harness() {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const events: Record<string, unknown>[] = [];
  let buf = '';
  stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl = buf.indexOf('\n');
    while (nl >= 0) {
      events.push(...parseJsonEvents(buf.slice(0, nl)));
      buf = buf.slice(nl + 1);
      nl = buf.indexOf('\n');
    }
  });
  return { stdin, stdout, stderr, events };
}

describe('--json machine mode', () => {
  it('prints open, data, result, expect and close events; reads commands from stdin', async () => {
    server = await startServer();
    const h = harness();
    const code = runJson(
      { kind: 'connect', host: '127.0.0.1', port: server.port, options: defaultOptions({ json: true }) },
      h,
    );
    const peer = await server.nextSocket();
    await until(() => h.events.some((e) => e.type === 'open'));
    h.stdin.write('hello\n/hex 00 ff\n');
    await server.waitFor(Buffer.from('hello\n\x00\xff', 'latin1'));
    peer.write('OK 7\n');
    h.stdin.write('/expect /OK (\\d)/ 2s\n/info\n/nope\n');
    await until(() => h.events.some((e) => e.type === 'error'));
    h.stdin.end();
    peer.end();
    expect(await code).toBe(0);
    const types = h.events.map((e) => e.type);
    expect(types[0]).toBe('open');
    expect(h.events[0]).toMatchObject({
      conn: expect.any(Number),
      proto: 'tcp',
      remote: { address: '127.0.0.1', port: server.port },
    });
    expect(h.events).toContainEqual(
      expect.objectContaining({ type: 'data', dir: 'out', len: 6, hex: '68656c6c6f0a', text: 'hello\n' }),
    );
    expect(h.events).toContainEqual(
      expect.objectContaining({ type: 'data', dir: 'out', len: 2, hex: '00ff' }),
    );
    expect(h.events).toContainEqual(expect.objectContaining({ type: 'data', dir: 'in', text: 'OK 7\n' }));
    expect(h.events).toContainEqual(
      expect.objectContaining({ type: 'expect', ok: true, match: 'OK 7', groups: ['7'] }),
    );
    expect(h.events).toContainEqual(
      expect.objectContaining({
        type: 'result',
        command: 'info',
        data: [expect.objectContaining({ proto: 'tcp' })],
      }),
    );
    expect(h.events).toContainEqual(
      expect.objectContaining({ type: 'error', command: '', line: '/nope', code: 'EUSAGE' }),
    );
    expect(h.events.at(-1)).toMatchObject({ type: 'close', reason: expect.stringMatching(/eof|local/) });
  });

  it('listen prints the real port when 0 was asked, and /quit ends with 0', async () => {
    const h = harness();
    const code = runJson(
      { kind: 'listen', host: '127.0.0.1', port: 0, options: defaultOptions({ json: true }) },
      h,
    );
    await until(() => h.events.length > 0);
    expect(h.events[0]).toMatchObject({ type: 'listening', proto: 'tcp', address: '127.0.0.1' });
    expect(h.events[0]!.port).toBeGreaterThan(0);
    h.stdin.write('/quit\n');
    expect(await code).toBe(0);
  });

  it('--recv-only: each send is one error event starting --recv-only:, the session goes on', async () => {
    server = await startServer();
    const h = harness();
    const options = defaultOptions({ json: true, recvOnly: true });
    const code = runJson({ kind: 'connect', host: '127.0.0.1', port: server.port, options }, h);
    const peer = await server.nextSocket();
    await until(() => h.events.some((e) => e.type === 'open'));
    h.stdin.write('hello\n/send x\n/hex 00\n/pack >H 1\n/file /dev/null\n/eol crlf\n');
    await until(() => h.events.some((e) => e.type === 'result' && e.command === 'eol'));
    const errors = h.events.filter((e) => e.type === 'error');
    expect(errors.map((e) => e.command)).toEqual(['text', 'send', 'hex', 'pack', 'file']);
    for (const e of errors) {
      expect(e).toMatchObject({ code: 'EUSAGE' });
      expect(String(e.message)).toMatch(/^--recv-only: [^\n]*$/);
    }
    // What arrives is still printed.
    peer.write('pong\n');
    await until(() => h.events.some((e) => e.type === 'data'));
    h.stdin.end();
    peer.end();
    expect(await code).toBe(0);
    expect(h.events.filter((e) => e.type === 'data')).toEqual([
      expect.objectContaining({ dir: 'in', text: 'pong\n' }),
    ]);
    expect(Buffer.concat(server.received).length).toBe(0);
  });

  it('--send-only: what arrives is counted and /expect reads it, but no data event shows it', async () => {
    server = await startServer();
    const h = harness();
    const options = defaultOptions({ json: true, sendOnly: true });
    const code = runJson({ kind: 'connect', host: '127.0.0.1', port: server.port, options }, h);
    const peer = await server.nextSocket();
    await until(() => h.events.some((e) => e.type === 'open'));
    h.stdin.write('ping\n');
    await server.waitFor('ping\n');
    peer.write('pong\n');
    h.stdin.write('/expect pong 2s\n/info\n');
    await until(() => h.events.some((e) => e.type === 'result' && e.command === 'info'));
    h.stdin.end();
    peer.end();
    expect(await code).toBe(0);
    expect(h.events.filter((e) => e.type === 'data')).toEqual([
      expect.objectContaining({ dir: 'out', text: 'ping\n' }),
    ]);
    expect(h.events).toContainEqual(expect.objectContaining({ type: 'expect', ok: true, match: 'pong' }));
    const info = h.events.find((e) => e.type === 'result' && e.command === 'info');
    expect(info!.data).toEqual([expect.objectContaining({ bytesIn: 5, bytesOut: 5 })]);
  });

  it('a refused connection is an error event and exit code 1', async () => {
    server = await startServer();
    const port = server.port;
    await server.close();
    server = undefined;
    const h = harness();
    const code = await runJson(
      { kind: 'connect', host: '127.0.0.1', port, options: defaultOptions({ json: true }) },
      h,
    );
    expect(code).toBe(1);
    await until(() => h.events.length > 0);
    expect(h.events[0]).toMatchObject({ type: 'error', code: 'ECONNREFUSED' });
    expect(String(h.events[0]!.message)).toMatch(/^connect 127\.0\.0\.1:\d+: ECONNREFUSED/);
  });

  it('a bad encoding is a usage error (exit 2) before connecting', async () => {
    const h = harness();
    const code = await runJson(
      {
        kind: 'connect',
        host: '127.0.0.1',
        port: 9,
        options: defaultOptions({ json: true, encoding: 'klingon' }),
      },
      h,
    );
    expect(code).toBe(2);
  });

  it('-e hex or base64 is a usage error (exit 2): not a character encoding', async () => {
    for (const encoding of ['hex', 'base64']) {
      const h = harness();
      let err = '';
      h.stderr.on('data', (d: Buffer) => {
        err += d.toString();
      });
      const options = defaultOptions({ json: true, encoding });
      expect(await runJson({ kind: 'connect', host: '127.0.0.1', port: 9, options }, h)).toBe(2);
      expect(err).toBe(
        `sockrepl: ${encoding} is not a character encoding; pick one for text (utf8, latin1, gbk...)\n`,
      );
      expect(h.events[0]).toMatchObject({ type: 'error', code: 'EUSAGE' });
    }
  });
});
