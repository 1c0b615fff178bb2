import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectTcp } from '../../../src/net/tcp-connect.js';
import { resolveOptionWords } from '../../../src/options/option-words.js';
import { channelRecorder } from '../../../src/record/channel-recorder.js';
import { parseScriptOrThrow } from '../../../src/script/parse.js';
import { testServer } from '../../helpers/test-server.js';

const dir = mkdtempSync(join(tmpdir(), 'sockrepl-rec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('channelRecorder (pipe mode)', () => {
  it('writes a connection as a script that parses: sends, expects, the half-close and the EOF', async () => {
    const server = await testServer();
    const file = join(dir, 'pipe.srs');
    const options = resolveOptionWords([{ name: 'nodelay' }], 'connect');
    const recorder = channelRecorder(file, {
      kind: 'connect',
      host: 'localhost',
      port: server.port,
      options,
    });
    const channel = await connectTcp('127.0.0.1', server.port, options);
    recorder.attach(channel);
    const peer = await server.nextClient();
    peer.on('data', (d: Buffer) => {
      if (d.includes('hello')) peer.write(Buffer.from([0x00, 0x01, 0xff]));
    });
    peer.on('end', () => peer.end('bye\n'));
    channel.send(Buffer.from('hello\n'));
    await new Promise((resolve) => channel.on('data', resolve));
    channel.shutdown('write');
    await new Promise((resolve) => channel.once('close', resolve));
    await server.close();
    const script = readFileSync(file, 'utf8');
    expect(script.split('\n').slice(2)).toEqual([
      `connect localhost ${server.port} nodelay`,
      'send "hello\\n"',
      'expect hex:"00 01 ff"',
      'shutdown write',
      'expect "bye\\n"',
      'expect eof',
      '',
    ]);
    expect(() => parseScriptOrThrow(script, { file })).not.toThrow();
  });

  it('a path that cannot be written fails at once, before any connection', () => {
    const options = resolveOptionWords([], 'connect');
    expect(() => channelRecorder('/nonexistent-dir/x.srs', { kind: 'connect', port: 1, options })).toThrow(
      'record: cannot write /nonexistent-dir/x.srs: ENOENT',
    );
  });
});
