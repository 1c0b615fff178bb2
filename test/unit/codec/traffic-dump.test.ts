import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { formatTrafficDump, formatTrafficHeader } from '../../../src/codec/traffic-dump.js';

const time = new Date('2024-05-01T12:00:00.123Z');

describe('formatTrafficDump', () => {
  it('marks sent data with > and received with <, like socat -x, then dumps it', () => {
    expect(formatTrafficDump({ dir: 'out', conn: 1, time, bytes: Buffer.from('hello') })).toBe(
      '> 2024-05-01T12:00:00.123Z conn=1 length=5\n' +
        '00000000  68 65 6c 6c 6f                                    |hello|\n',
    );
    expect(formatTrafficDump({ dir: 'in', conn: '127.0.0.1:4000', time, bytes: Buffer.from('OK\r\n') })).toBe(
      '< 2024-05-01T12:00:00.123Z conn=127.0.0.1:4000 length=4\n' +
        '00000000  4f 4b 0d 0a                                       |OK..|\n',
    );
  });

  it('prints just the header for an empty chunk (an empty datagram)', () => {
    expect(formatTrafficDump({ dir: 'in', conn: 2, time, bytes: new Uint8Array(0) })).toBe(
      '< 2024-05-01T12:00:00.123Z conn=2 length=0\n',
    );
  });

  it('decodes the text column in the session encoding, at the asked width', () => {
    const out = formatTrafficDump(
      { dir: 'in', conn: 1, time, bytes: iconv.encode('你好, world', 'gbk') },
      { encoding: 'gbk', columns: 8 },
    );
    expect(out).toBe(
      '< 2024-05-01T12:00:00.123Z conn=1 length=11\n' +
        '00000000  c4 e3 ba c3  2c 20 77 6f  |你好, wo|\n' +
        '00000008  72 6c 64                  |rld|\n',
    );
  });

  it('keeps every line of a large chunk (squeezed runs end with their length)', () => {
    const out = formatTrafficDump({ dir: 'out', conn: 1, time, bytes: new Uint8Array(4096) });
    expect(out.split('\n')).toEqual([
      '> 2024-05-01T12:00:00.123Z conn=1 length=4096',
      '00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|',
      '*',
      '00001000',
      '',
    ]);
  });

  it('has a header that is easy to grep', () => {
    expect(formatTrafficHeader({ dir: 'out', conn: 7, time, length: 12 })).toBe(
      '> 2024-05-01T12:00:00.123Z conn=7 length=12',
    );
  });
});
