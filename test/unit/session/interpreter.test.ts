import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createInterpreter, createSession, startSession } from '../../../src/modes/open-session.js';
import type { ConnectionOptions } from '../../../src/options/connection-options.js';
import type { Session } from '../../../src/session/session.js';
import type { DataEvent, SessionEvent } from '../../../src/session/session-events.js';
import { defaultOptions, startServer, type TestServer, until } from '../../helpers/session-fixtures.js';

let server: TestServer | undefined;
let session: Session | undefined;

afterEach(async () => {
  await session?.close();
  await server?.close();
  session = undefined;
  server = undefined;
});

async function connected(patch = {}) {
  server = await startServer();
  session = await createSession(
    { kind: 'connect', host: '127.0.0.1', port: server.port, options: defaultOptions(patch) },
    {
      decodeText: true,
      kernelRefreshMs: 100,
    },
  );
  const events: SessionEvent[] = [];
  session.on('event', (e) => events.push(e));
  await startSession(session, {
    kind: 'connect',
    host: '127.0.0.1',
    port: server.port,
    options: defaultOptions(patch),
  });
  const peer = await server.nextSocket();
  return { s: session, peer, events, run: createInterpreter(session, { defaultExpectTimeoutMs: 1000 }) };
}

describe('interpreter over a real TCP connection', () => {
  it('sends typed lines with the eol, /send escapes, /hex bytes', async () => {
    const { run } = await connected();
    expect((await run.execute('hello')).ok).toBe(true);
    await server!.waitFor('hello\n');
    await run.execute('/eol crlf');
    await run.execute('again');
    await server!.waitFor('again\r\n');
    await run.execute('/send "a\\x00b\\r\\n"');
    await server!.waitFor(Buffer.from('a\x00b\r\n', 'latin1'));
    await run.execute('/hex de ad 0xbe ef');
    await server!.waitFor(Buffer.from([0xde, 0xad, 0xbe, 0xef]));
    await run.execute('//not a command');
    await server!.waitFor('/not a command\r\n');
    const bad = await run.execute('/hex zz');
    expect(bad.ok).toBe(false);
    expect(bad.error?.exitCode).toBe(2);
    expect(bad.lines[0]).toMatch(/^hex: bad hex at column 1/);
  });

  it('/expect consumes up to the match; what follows stays; a timeout fails with exit code 3', async () => {
    const { run, peer } = await connected();
    peer.write('banner\nOK 42\nnext line\n');
    const m = await run.execute('/expect /OK (\\d+)/ 2s');
    expect(m.ok).toBe(true);
    expect(m.data).toMatchObject({ ok: true, match: 'OK 42', groups: ['42'] });
    const n = await run.execute('/expect "next"');
    expect(n.ok).toBe(true);
    const t = await run.execute('/expect nothing-like-this 200ms');
    expect(t.ok).toBe(false);
    expect(t.error?.exitCode).toBe(3);
    expect(t.lines[0]).toMatch(/timed out after \d+ms/);
    expect(t.lines[1]).toContain('6c 69 6e 65 0a'); // " line\n" is still unconsumed
    peer.write(Buffer.from([0, 2, 9]));
    expect((await run.execute('/expect hex:"00 02" 1s')).ok).toBe(true);
    peer.end();
    const eof = await run.execute('/expect eof 2s');
    expect(eof.ok).toBe(true);
    expect(eof.data).toMatchObject({ hex: '09' });
  });

  it('logs data in both directions with the stateful decoder, split GBK included', async () => {
    const { run, peer, events } = await connected({ encoding: 'gbk' });
    peer.write(Buffer.from([0xd6, 0xd0, 0xce]));
    await until(() => events.some((e) => e.type === 'data' && e.dir === 'in'));
    peer.write(Buffer.from([0xc4]));
    await until(() => events.filter((e) => e.type === 'data' && e.dir === 'in').length === 2);
    const ins = events.filter((e): e is DataEvent => e.type === 'data' && e.dir === 'in');
    expect(ins.map((e) => e.text).join('')).toBe('中文');
    expect(ins[1]!.prev).toEqual(Buffer.from([0xd6, 0xd0, 0xce]));
    await run.execute('中文');
    await server!.waitFor(Buffer.from([0xd6, 0xd0, 0xce, 0xc4, 0x0a]));
    const out = events.find((e): e is DataEvent => e.type === 'data' && e.dir === 'out');
    expect(out?.text).toBe('中文\n');
    expect((await run.execute('/enc nosuch')).lines[0]).toMatch(/unknown encoding/);
    // The long name a user reaches for works too.
    expect((await run.execute('/encoding nosuch')).lines[0]).toMatch(/unknown encoding/);
  });

  it('/enc hex and /enc base64 are refused in one line; the encoding stays and typing still sends text', async () => {
    const { run, s } = await connected();
    for (const name of ['hex', 'base64', 'Base-64']) {
      const o = await run.execute(`/enc ${name}`);
      expect(o).toMatchObject({ ok: false, error: { code: 'EUSAGE', exitCode: 2 } });
      // The session keeps encoding names lower-cased, as /enc shows them.
      expect(o.lines).toEqual([
        `${name.toLowerCase()} is not a character encoding; pick one for text (utf8, latin1, gbk...)`,
      ]);
    }
    expect(s.settings.encoding).toBe('utf8');
    expect((await run.execute('/enc')).lines[0]).toBe('encoding utf8');
    await run.execute('abc');
    await run.execute('/send "x');
    await server!.waitFor('abc\n"x');
  });

  it('-e hex is refused before connecting', async () => {
    const options = defaultOptions({ encoding: 'hex' });
    await expect(createSession({ kind: 'connect', host: '127.0.0.1', port: 9, options })).rejects.toThrow(
      /^hex is not a character encoding/,
    );
  });

  it('/opt changes a socket option live and /info reports the kernel view', async () => {
    const { run } = await connected();
    const opt = await run.execute('/opt nodelay on');
    expect(opt.lines[0]).toMatch(/nodelay set; kernel reports on/);
    expect((await run.execute('/opt TCP_NODELAY')).lines[0]).toMatch(/^nodelay on/);
    expect((await run.execute('/opt bogus 1')).lines[0]).toMatch(/unknown socket option 'bogus'/);
    expect((await run.execute('/opt ttl 999')).ok).toBe(false);
    const info = await run.execute('/info');
    expect(info.ok).toBe(true);
    const text = info.lines.join('\n');
    expect(text).toMatch(/connection \d+ {2}tcp {2}127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+/);
    if (process.platform === 'linux')
      expect(text).toMatch(/state ESTABLISHED {2}Send-Q 0 {2}Recv-Q 0 {2}rtt/);
    expect(text).toMatch(/nodelay on/);
  });

  it('/shutdown write half-closes; the kernel view shows FIN_WAIT2 and the peer sees EOF', async () => {
    const { run, peer, s } = await connected();
    const ended = new Promise((r) => peer.once('end', r));
    peer.resume();
    expect((await run.execute('/shutdown')).lines[0]).toMatch(/write side shut/);
    await ended;
    const conn = [...s.conns.values()][0]!;
    if (process.platform === 'linux')
      await until(() => conn.kernel?.state === 'FIN_WAIT2', 3000, 'FIN_WAIT2');
    expect((await run.execute('after')).lines[0]).toMatch(/closed for writing/);
    peer.write('still reading\n');
    expect((await run.execute('/expect still')).ok).toBe(true);
  });

  it('/close, /reset and the close reason', async () => {
    const { run, events } = await connected();
    const r = await run.execute('/reset');
    expect(r.lines[0]).toMatch(/reset \(RST sent\)/);
    await until(() => events.some((e) => e.type === 'close'));
    expect(events.find((e) => e.type === 'close')).toMatchObject({ reason: 'local' });
    expect(session!.finished).toBe(true);
    expect((await run.execute('x')).lines[0]).toBe('no open connection');
  });

  it('/file streams a file with progress and honours backpressure', async () => {
    const { run, peer, events } = await connected();
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const path = join(mkdtempSync(join(tmpdir(), 'sockrepl-')), 'blob.bin');
    const blob = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < blob.length; i++) blob[i] = i % 251;
    writeFileSync(path, blob);
    let got = 0;
    peer.on('data', (d: Buffer) => {
      got += d.length;
    });
    const done = await run.execute(`/file ${path}`);
    expect(done.ok).toBe(true);
    expect(done.lines[0]).toMatch(/sent .*blob\.bin: 4194304 bytes/);
    await until(() => got === blob.length);
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress.at(-1)).toMatchObject({ sent: blob.length, total: blob.length, done: true });
    expect((await run.execute('/file /no/such/file')).lines[0]).toMatch(/no such file/);
  });

  it('settings commands report; unknown commands and bad values say so', async () => {
    const { run } = await connected();
    expect((await run.execute('/endian le')).lines[0]).toBe('endian le');
    expect((await run.execute('/view text')).lines[0]).toBe('view text');
    expect((await run.execute('/view nope')).ok).toBe(false);
    expect((await run.execute('/frobnicate')).lines[0]).toMatch(/unknown command \/frobnicate/);
    expect((await run.execute('/help')).lines.length).toBeGreaterThan(20);
    expect((await run.execute('/quit')).quit).toBe(true);
  });
});

describe('codecs and framing through commands', () => {
  it('/pack sends a struct, /inspect decodes the last message, /save writes raw bytes and a transcript', async () => {
    const { run, peer } = await connected();
    const p = await run.execute('/pack >HI 1 123456');
    expect(p.lines[0]).toBe('packed 6 bytes: 00 01 00 01 e2 40');
    await server!.waitFor(Buffer.from([0, 1, 0, 1, 0xe2, 0x40]));
    expect((await run.execute('/pack >H nope')).ok).toBe(false);
    peer.write(Buffer.from([0x01, 0x02, 0x03, 0x04]));
    await until(() => session!.totals.bytesIn === 4);
    const i = await run.execute('/inspect 0 >HH');
    expect(i.ok).toBe(true);
    const text = i.lines.join('\n');
    expect(text).toMatch(/4 bytes; offset 0/);
    expect(text).toMatch(/struct >HH: 258, 772/);
    const { mkdtempSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'sockrepl-'));
    expect((await run.execute(`/save ${join(dir, 'in.bin')} in`)).lines[0]).toMatch(/saved 4 bytes \(in\)/);
    expect(readFileSync(join(dir, 'in.bin'))).toEqual(Buffer.from([1, 2, 3, 4]));
    await run.execute(`/save ${join(dir, 't.txt')}`);
    const transcript = readFileSync(join(dir, 't.txt'), 'utf8');
    expect(transcript).toMatch(/^> \S+ conn=\d+ length=6$/m);
    expect(transcript).toMatch(/^00000000 {2}01 02 03 04/m);
  });

  it('/frame splits the stream into frames for display and /expect frame, and frames what is sent', async () => {
    const { run, peer, events } = await connected();
    expect((await run.execute('/frame length:u16be')).lines[0]).toBe('framing length:u16be');
    expect((await run.execute('/frame bogus')).ok).toBe(false);
    peer.write(Buffer.from([0, 3, 0x61, 0x62]));
    peer.write(Buffer.from([0x63, 0, 1, 0x64]));
    const f = await run.execute('/expect frame 2s');
    expect(f.ok).toBe(true);
    expect(f.data).toMatchObject({ match: 'abc' });
    await until(
      () => events.filter((e) => e.type === 'data' && e.dir === 'in' && e.frame !== undefined).length === 2,
    );
    await run.execute('/send hi');
    await server!.waitFor(Buffer.from([0, 2, 0x68, 0x69]));
    expect((await run.execute('/frame off')).lines[0]).toBe('framing off');
  });

  it('a bare /frame shows the framing and changes nothing; /frame off (or none) switches it off', async () => {
    const { s, run, peer } = await connected();
    expect(await run.execute('/frame')).toMatchObject({ ok: true, lines: ['framing off'] });
    expect(s.frameSpec).toBeUndefined();
    await run.execute('/frame lines');
    for (const bare of ['/frame', '/frame ', '/FRAME   ']) {
      expect((await run.execute(bare)).lines, bare).toEqual(['framing lines']);
      expect(s.frameSpec).toBe('lines');
    }
    // Still framing: a typed line is one message.
    peer.write('a\nb\n');
    expect((await run.execute('/expect frame 2s')).data).toMatchObject({ match: 'a' });
    expect((await run.execute('/frame off')).lines).toEqual(['framing off']);
    expect(s.frameSpec).toBeUndefined();
    await run.execute('/frame lines');
    expect((await run.execute('/frame none')).lines).toEqual(['framing off']);
    expect(s.frameSpec).toBeUndefined();
  });

  it('a bare /frame names a direction that went back to raw chunks after framing failed', async () => {
    const { s, run, peer, events } = await connected();
    await run.execute('/frame length:u8,max=4');
    peer.write(Buffer.from([9, 1, 2]));
    await until(() => events.some((e) => e.type === 'notice' && /framing .* failed/.test(e.text)));
    const id = s.openConns()[0]!.id;
    expect((await run.execute('/frame')).lines).toEqual([
      'framing length:u8,max=4',
      `  connection ${id} in: raw chunks (framing failed there; /frame length:u8,max=4 starts again)`,
    ]);
    // Setting the spec again starts every direction afresh.
    expect((await run.execute('/frame length:u8,max=4')).lines).toEqual(['framing length:u8,max=4']);
  });

  it('/help shows /frame with its optional argument', async () => {
    const { run } = await connected();
    const help = (await run.execute('/help frame')).lines[0]!;
    expect(help).toMatch(/^\/frame \[<spec>\|off\] {2}show framing, or set it: .*; off stops it$/);
  });
});

describe('--recv-only and --send-only (the session holds the rule)', () => {
  it('--recv-only: every way of sending is refused with one --recv-only line; the rest works', async () => {
    const { s, run, peer, events } = await connected({ recvOnly: true });
    expect(s.oneWay).toBe('recv');
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'sockrepl-'));
    writeFileSync(join(dir, 'blob.bin'), 'blob');
    writeFileSync(join(dir, 'empty.bin'), '');
    const lines = [
      'hello',
      '//slash',
      '/send x',
      '/send ""',
      '/hex 00',
      '/pack >H 1',
      `/file ${join(dir, 'blob.bin')}`,
      `/file ${join(dir, 'empty.bin')}`,
    ];
    for (const line of lines) {
      const o = await run.execute(line);
      expect(o, line).toMatchObject({ ok: false, error: { code: 'EUSAGE', exitCode: 2 } });
      expect(o.lines, line).toHaveLength(1);
      expect(o.lines[0], line).toMatch(/^--recv-only: /);
    }
    // The session's own send path, as scripts and the library use it, refuses too.
    expect(() => s.sendNow(Buffer.from('x'))).toThrow(/^--recv-only: /);
    await expect(s.send(Buffer.from('x'))).rejects.toThrow(/^--recv-only: /);
    expect(events.some((e) => e.type === 'progress')).toBe(false);
    // The session goes on: settings change, received data is shown and /expect reads it.
    expect((await run.execute('/eol crlf')).lines[0]).toBe('eol crlf');
    peer.write('pong\n');
    expect((await run.execute('/expect pong 2s')).ok).toBe(true);
    expect(events).toContainEqual(expect.objectContaining({ type: 'data', dir: 'in', text: 'pong\n' }));
    expect(s.totals.bytesOut).toBe(0);
    expect(events.some((e) => e.type === 'data' && e.dir === 'out')).toBe(false);
    await new Promise((r) => setTimeout(r, 50));
    expect(Buffer.concat(server!.received).length).toBe(0);
  });

  it('--recv-only: the refusal comes before "no open connection"', async () => {
    const options = defaultOptions({ recvOnly: true, keepOpen: true });
    session = await createSession(
      { kind: 'listen', host: '127.0.0.1', port: 0, options },
      { kernelRefreshMs: 0 },
    );
    await startSession(session, { kind: 'listen', host: '127.0.0.1', port: 0, options });
    const run = createInterpreter(session);
    expect((await run.execute('hi')).lines[0]).toMatch(/^--recv-only: /);
    expect((await run.execute('/file /dev/null')).lines[0]).toMatch(/^--recv-only: /);
  });

  it('--send-only: received data is counted and kept for /expect; views are told to leave it out', async () => {
    const { s, run, peer } = await connected({ sendOnly: true });
    expect(s.oneWay).toBe('send');
    expect(s.hiddenDir).toBe('in');
    expect((await run.execute('ping')).ok).toBe(true);
    await server!.waitFor('ping\n');
    peer.write('pong\n');
    expect((await run.execute('/expect pong 2s')).ok).toBe(true);
    expect(s.totals).toMatchObject({ bytesIn: 5, bytesOut: 5 });
  });

  it('both directions: no one-way rule', async () => {
    const { s } = await connected();
    expect(s.oneWay).toBeUndefined();
    expect(s.hiddenDir).toBeUndefined();
  });
});

/** A session listening on a free port with -k, and its interpreter. */
async function listeningKeepOpen(patch: Partial<ConnectionOptions> = {}) {
  const options = defaultOptions({ keepOpen: true, ...patch });
  session = await createSession(
    { kind: 'listen', host: '127.0.0.1', port: 0, options },
    { kernelRefreshMs: 0 },
  );
  await startSession(session, { kind: 'listen', host: '127.0.0.1', port: 0, options });
  return { s: session, run: createInterpreter(session) };
}

describe('listen mode with several clients', () => {
  it('/use picks one client, /all answers every one', async () => {
    const { s, run } = await listeningKeepOpen();
    expect((await run.execute('hi')).lines[0]).toBe('no client has connected yet');
    const port = s.listening!.port;
    const got = [Buffer.alloc(0), Buffer.alloc(0)];
    const clients = [0, 1].map((i) => {
      const c = net.connect(port, '127.0.0.1');
      c.on('data', (d) => {
        got[i] = Buffer.concat([got[i]!, d]);
      });
      return c;
    });
    await until(() => s.openConns().length === 2);
    const [a, b] = s.openConns();
    expect((await run.execute('/expect x 100ms')).lines[0]).toMatch(/2 connections are open; pick one/);
    expect((await run.execute(`/use ${b!.id}`)).lines[0]).toBe(`sending to connection ${b!.id}`);
    await run.execute('to-b');
    await until(() => got[1]!.toString() === 'to-b\n');
    expect(got[0]!.length).toBe(0);
    await run.execute('/all');
    await run.execute('both');
    await until(() => got[0]!.toString() === 'both\n' && got[1]!.toString() === 'to-b\nboth\n');
    expect((await run.execute('/use 999')).lines[0]).toMatch(/no connection 999/);
    expect(a!.id).toBeLessThan(b!.id);
    for (const c of clients) c.destroy();
  });

  it('/reset of a UDP sender says it sends nothing: UDP has no RST', async () => {
    const { s, run } = await listeningKeepOpen({ udp: true });
    const sender = dgram.createSocket('udp4');
    sender.send('hi', s.listening!.port, '127.0.0.1');
    await until(() => s.openConns().length === 1);
    const [c] = s.openConns();
    expect((await run.execute(`/reset ${c!.id}`)).lines).toEqual([
      `connection ${c!.id} reset (UDP has no RST: the sender is forgotten, nothing is sent)`,
    ]);
    sender.close();
  });

  it('/close, /reset and /info act on the connection they name, and only on it', async () => {
    const { s, run } = await listeningKeepOpen();
    const port = s.listening!.port;
    const ends = [0, 1, 2].map(() => {
      const c = net.connect(port, '127.0.0.1');
      const end = { socket: c, how: '' };
      c.on('end', () => {
        end.how ||= 'eof';
        c.end();
      });
      c.on('error', (e: NodeJS.ErrnoException) => {
        end.how ||= e.code ?? 'error';
      });
      return end;
    });
    await until(() => s.openConns().length === 3);
    const [a, b, c] = s.openConns();
    // A number that is no connection closes nothing (it used to close the target: every client).
    const none = await run.execute('/close 99');
    expect(none.ok).toBe(false);
    expect(none.lines[0]).toBe(`no connection 99 (there are: ${a!.id}, ${b!.id}, ${c!.id})`);
    expect((await run.execute('/reset x')).lines[0]).toBe("reset: 'x' is not a connection number");
    expect(s.openConns()).toHaveLength(3);

    const info = await run.execute(`/info #${b!.id}`);
    expect((info.data as { conn: number }[]).map((i) => i.conn)).toEqual([b!.id]);
    expect((await run.execute(`/close ${b!.id}`)).lines).toEqual([`connection ${b!.id} closed`]);
    expect((await run.execute(`/close ${b!.id}`)).lines[0]).toMatch(`connection ${b!.id} was already closed`);
    expect((await run.execute(`/reset ${c!.id}`)).lines).toEqual([`connection ${c!.id} reset (RST sent)`]);
    await until(() => ends[1]!.how === 'eof' && ends[2]!.how === 'ECONNRESET');
    expect(ends[0]!.how).toBe('');
    expect(s.openConns().map((x) => x.id)).toEqual([a!.id]);
    expect((await run.execute(`/reset ${c!.id}`)).lines[0]).toMatch(`connection ${c!.id} is closed`);
    for (const e of ends) e.socket.destroy();
  });
});
