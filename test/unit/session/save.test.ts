import type { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { formatTrafficDump } from '../../../src/codec/traffic-dump.js';
import { EventLog } from '../../../src/session/event-log.js';
import { saveTranscript } from '../../../src/session/save.js';
import type { Session } from '../../../src/session/session.js';
import type { DataEvent, SessionEvent } from '../../../src/session/session-events.js';

const T0 = Date.parse('2024-05-01T12:00:00.000Z');
const endpoint = (port: number) => ({ address: '127.0.0.1', port, family: 'IPv4' as const });

function data(conn: number, dir: 'in' | 'out', bytes: Buffer, frame?: number): DataEvent {
  const e: DataEvent = { type: 'data', time: T0 + 1, conn, dir, bytes, prev: Buffer.alloc(0) };
  if (frame !== undefined) e.frame = frame;
  return e;
}

/** `/save <path>` (no direction) over these events, in this encoding; returns the file's text. */
function transcript(events: SessionEvent[], encoding = 'utf8'): string {
  const log = new EventLog<SessionEvent>();
  for (const e of events) log.push(e);
  const session = { log, settings: { encoding }, targetOne: () => ({ id: 1 }) } as unknown as Session;
  let saved = '';
  const write = ((_path: string, text: string) => {
    saved = text;
  }) as unknown as typeof writeFileSync;
  saveTranscript(session, '/dev/null', undefined, write);
  return saved;
}

describe('/save transcript', () => {
  it('writes events as comment lines and traffic as direction-marked dumps', () => {
    const events: SessionEvent[] = [
      { type: 'open', time: T0, conn: 1, proto: 'tcp', local: endpoint(40000), remote: endpoint(9000) },
      data(1, 'out', Buffer.from('hello')),
      data(1, 'in', Buffer.from('OK\r\n'), 2),
      { type: 'close', time: T0 + 2, conn: 1, reason: 'eof' },
    ];
    expect(transcript(events)).toBe(
      '# 2024-05-01T12:00:00.000Z conn=1 open tcp 127.0.0.1:40000 -> 127.0.0.1:9000\n' +
        '> 2024-05-01T12:00:00.001Z conn=1 length=5\n' +
        '00000000  68 65 6c 6c 6f                                    |hello|\n' +
        '< 2024-05-01T12:00:00.001Z conn=1 frame=2 length=4\n' +
        '00000000  4f 4b 0d 0a                                       |OK..|\n' +
        '# 2024-05-01T12:00:00.002Z conn=1 closed (eof)\n',
    );
  });

  it('shows a character split between two chunks whole, per connection and direction', () => {
    const text = Buffer.from('hé llo 界ok');
    const events: SessionEvent[] = [
      data(1, 'in', text.subarray(0, 9)),
      // Another connection and the other direction in between.
      data(2, 'in', Buffer.from([0x95])),
      data(1, 'out', Buffer.from('x')),
      data(1, 'in', text.subarray(9)),
    ];
    const lines = transcript(events).split('\n');
    expect(lines[1]).toBe('00000000  68 c3 a9 20 6c 6c 6f 20  e7                       |hé  llo  |');
    expect(lines[3]).toBe('00000000  95                                                |.|');
    expect(lines[7]).toBe('00000000  95 8c 6f 6b                                       |界ok|');
  });

  it('does so in the session encoding (GBK, UTF-16)', () => {
    const gbk = iconv.encode('你好', 'gbk');
    expect(transcript([data(1, 'in', gbk.subarray(0, 1)), data(1, 'in', gbk.subarray(1))], 'gbk')).toMatch(
      /\| \|\n.*\n.*\|你好\|\n$/,
    );
    const u16 = iconv.encode('a😀', 'utf16le');
    expect(
      transcript([data(1, 'in', u16.subarray(0, 3)), data(1, 'in', u16.subarray(3))], 'utf16le'),
    ).toMatch(/\|a {2}\|\n.*\n.*\|😀 \|\n$/);
  });

  it('dumps a stream cut anywhere with the hex of each chunk, and every character of valid text once', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme-ascii', maxLength: 4 }),
        fc.array(fc.constantFrom('界', 'é', '😀', 'ab'), { maxLength: 10 }),
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }),
        (ascii, chars, sizes) => {
          const text = ascii.replace(/[^\x21-\x7e]|\./g, '') + chars.join('');
          const bytes = Buffer.from(text);
          const pieces: Buffer[] = [];
          for (let at = 0, k = 0; at < bytes.length; k++) {
            pieces.push(bytes.subarray(at, at + sizes[k % sizes.length]!));
            at += sizes[k % sizes.length]!;
          }
          const lines = transcript(pieces.map((p) => data(1, 'in', p)))
            .split('\n')
            .filter(Boolean);
          const alone = pieces.flatMap((p) =>
            formatTrafficDump({ dir: 'in', conn: 1, time: new Date(T0 + 1), bytes: p })
              .split('\n')
              .filter(Boolean),
          );
          const hex = (l: string) => (l.includes('|') ? l.slice(0, l.indexOf('|')) : l);
          expect(lines.map(hex)).toEqual(alone.map(hex));
          const shown = lines
            .filter((l) => l.includes('|'))
            .map((l) => l.slice(l.indexOf('|') + 1, l.lastIndexOf('|')))
            .join('');
          expect(shown.replace(/ /g, '')).toBe(text);
        },
      ),
    );
  });
});
