import fc from 'fast-check';
import iconv from 'iconv-lite';
import { Box } from 'ink';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { EventLog } from '../../../src/session/event-log.js';
import { eventSize, type SessionEvent } from '../../../src/session/session-events.js';
import { StyledRow } from '../../../src/ui/styled-row.js';
import { headerPosition, type TrafficLayout, visibleRows } from '../../../src/ui/traffic-rows.js';

const data = (conn: number, dir: 'in' | 'out', bytes: number[] | Buffer): SessionEvent => ({
  type: 'data',
  time: 0,
  conn,
  dir,
  bytes: Buffer.from(bytes),
  prev: Buffer.alloc(0),
});

/** Chunks of one stream, each with the bytes before it as the session records them. */
function stream(dir: 'in' | 'out', parts: Buffer[]): SessionEvent[] {
  let before = Buffer.alloc(0);
  return parts.map((bytes) => {
    const prev = before.subarray(-4);
    before = Buffer.concat([before, bytes]);
    return { type: 'data', time: 0, conn: 1, dir, bytes, prev };
  });
}

function logOf(events: SessionEvent[]) {
  const log = new EventLog<SessionEvent>({ maxEntries: 100, maxBytes: 1 << 20 }, eventSize);
  for (const e of events) log.push(e);
  return log;
}

const layout = (patch: Partial<TrafficLayout> = {}): TrafficLayout => ({
  width: 100,
  height: 10,
  view: 'both',
  encoding: 'utf8',
  scroll: 0,
  selected: undefined,
  ...patch,
});

const plain = (rows: ReturnType<typeof visibleRows>['rows']) =>
  rows.map((r) => r.segs.map((s) => s.text).join(''));

describe('traffic rows', () => {
  it('shows header and hex rows with the text column in the current encoding', () => {
    const log = logOf([data(1, 'in', [0xd6, 0xd0, 0xce, 0xc4]), data(1, 'out', Buffer.from('hi\n'))]);
    const gbk = plain(visibleRows(log, layout({ encoding: 'gbk' })).rows);
    expect(gbk[0]).toMatch(/#1 ← in {2}4 B$/);
    expect(gbk[1]).toMatch(/00000000 {2}d6 d0 ce c4 +\|中文\|/);
    expect(gbk[3]).toMatch(/68 69 0a +\|hi\.\|/);
    const hexOnly = plain(visibleRows(log, layout({ view: 'hex' })).rows);
    expect(hexOnly[1]).not.toContain('|');
    const text = plain(visibleRows(log, layout({ view: 'text', encoding: 'gbk' })).rows);
    expect(text[1]).toBe('   中文');
    expect(text[3]).toBe('   hi↵');
  });

  it('fills the screen from the bottom, scrolls by rows, and finds a message header', () => {
    const events = Array.from({ length: 10 }, (_, i) => data(1, 'in', Buffer.alloc(40, i)));
    const log = logOf(events); // each: 1 header + 3 hex rows
    const bottom = visibleRows(log, layout({ height: 6 }));
    expect(bottom.rows).toHaveLength(6);
    expect(bottom.maxScroll).toBe(40 - 6);
    expect(plain(bottom.rows).at(-1)).toMatch(/00000020 {2}09 09/);
    const up = visibleRows(log, layout({ height: 6, scroll: 4 }));
    expect(plain(up.rows).at(-1)).toMatch(/00000020 {2}08 08/);
    expect(headerPosition(log, log.at(-1)!.seq, layout())).toBe(3);
    expect(headerPosition(log, log.at(-2)!.seq, layout())).toBe(7);
  });

  it('leaves out the hidden direction (--send-only hides received data), also when finding a header', () => {
    const log = logOf([data(1, 'out', Buffer.from('ping')), data(1, 'in', Buffer.from('pong'))]);
    const rows = plain(visibleRows(log, layout({ hidden: 'in' })).rows);
    expect(rows.join('\n')).toContain('ping');
    expect(rows.join('\n')).not.toContain('pong');
    expect(headerPosition(log, log.at(-2)!.seq, layout({ hidden: 'in' }))).toBe(1);
  });

  it('gives the same row objects frame after frame, so the memoised rows skip what did not change', () => {
    const log = logOf(Array.from({ length: 3 }, (_, i) => data(1, 'in', Buffer.alloc(40, i))));
    const before = visibleRows(log, layout()).rows;
    log.push(data(1, 'out', Buffer.from('new')));
    const after = visibleRows(log, layout()).rows;
    // Everything moved up two rows; all but the new entry's rows are the same objects.
    expect(after.slice(0, -2)).toEqual(before.slice(2));
    for (const [i, r] of after.slice(0, -2).entries()) expect(r).toBe(before[i + 2]);
    const selected = visibleRows(log, layout({ selected: log.at(-1)!.seq })).rows;
    expect(selected.at(-1)).not.toBe(after.at(-1));
    expect(selected.at(-1)!.segs[0]!.text).toBe('▌');
    expect(selected[0]).toBe(after[0]);
  });

  it('text view: wide characters count two columns, invisible controls are spelled out', () => {
    const wide = '中'.repeat(60);
    const log = logOf([data(1, 'in', Buffer.from(`${wide}\u202e\u0085x`))]);
    const text = plain(visibleRows(log, layout({ view: 'text' })).rows);
    // 97 columns for text: 48 wide characters on the first line, the rest on the second.
    expect(text[1]).toBe(`   ${'中'.repeat(48)}`);
    expect(text[2]).toBe(`   ${'中'.repeat(12)}\\u{202e}\\u{85}x`);
  });

  it('a long notice (/info, the list of faults) wraps at spaces, not inside words', () => {
    const notice: SessionEvent = {
      type: 'notice',
      time: 0,
      level: 'info',
      text: 'options  nodelay off  keepalive off  linger off  reuseaddr off  reuseport off',
    };
    const rows = plain(visibleRows(logOf([notice]), layout({ width: 40 })).rows);
    expect(rows).toEqual([
      ' options  nodelay off  keepalive off',
      ' linger off  reuseaddr off  reuseport',
      ' off',
    ]);
  });

  it('a narrow screen dumps 8 or 4 bytes a row, so the text column still fits', () => {
    const log = logOf([data(1, 'in', Buffer.from('0123456789'))]);
    for (const [width, row] of [
      [60, /^ {2}00000000 {2}30 31 32 33 {2}34 35 36 37 {2}\|01234567\|$/],
      [40, /^ {2}00000000 {2}30 31 {2}32 33 {2}\|0123\|$/],
    ] as const) {
      const r = plain(visibleRows(log, layout({ width })).rows)[1]!;
      expect(r).toMatch(row);
      expect(r.length).toBeLessThanOrEqual(width);
    }
  });

  it('marks the selected message and renders through ink', () => {
    const log = logOf([data(3, 'in', Buffer.from('abc'))]);
    const { rows } = visibleRows(log, layout({ selected: log.at(-1)!.seq }));
    expect(rows.every((r) => r.selected)).toBe(true);
    const { lastFrame } = render(
      <Box flexDirection="column">
        {rows.map((r) => (
          <StyledRow key={r.key} segs={r.segs} plain />
        ))}
      </Box>,
    );
    expect(lastFrame()).toMatch(/▌.*#3 ← in {2}3 B/);
    expect(lastFrame()).toMatch(/▌ 00000000 {2}61 62 63 +\|abc\|/);
  });
});

describe('a character split between two chunks', () => {
  const textColumn = (row: string | undefined) => /\|(.*)\|$/.exec(row ?? '')?.[1];

  it('UTF-8: the hex view draws it whole in the chunk that completes it, as the text view does', () => {
    const bytes = Buffer.from('héllo 世界 ok');
    const log = logOf(stream('in', [bytes.subarray(0, 8), bytes.subarray(8)]));
    const both = plain(visibleRows(log, layout()).rows);
    // The first chunk ends with the first byte of 世: blank there, not a dot.
    expect(textColumn(both[1])).toBe('hé llo  ');
    expect(textColumn(both[3])).toBe('世界  ok');
    const text = plain(visibleRows(log, layout({ view: 'text' })).rows);
    expect([text[1], text[3]]).toEqual(['   héllo ', '   世界 ok']);
  });

  it('GBK: the chunk before decides where characters start, not the 4 bytes before the chunk', () => {
    // "xx中文中" | "文": the bytes before the second chunk are d0 ce c4 d6, whose first byte is
    // the second half of 中; read from there they would pair up wrongly (d0ce = 形).
    const bytes = Buffer.from([0x78, 0x78, 0xd6, 0xd0, 0xce, 0xc4, 0xd6, 0xd0, 0xce, 0xc4]);
    const log = logOf(stream('in', [bytes.subarray(0, 7), bytes.subarray(7)]));
    const both = plain(visibleRows(log, layout({ encoding: 'gbk' })).rows);
    expect(textColumn(both[1])).toBe('xx中文 ');
    expect(textColumn(both[3])).toBe('中文');
    const text = plain(visibleRows(log, layout({ view: 'text', encoding: 'gbk' })).rows);
    expect([text[1], text[3]]).toEqual(['   xx中文', '   中文']);
  });

  it('GBK split one byte per chunk, and UTF-16 split inside a code unit', () => {
    const gbk = Buffer.from([0xd6, 0xd0, 0xce, 0xc4]);
    const log = logOf(
      stream(
        'in',
        [...gbk].map((b) => Buffer.of(b)),
      ),
    );
    const cols = plain(visibleRows(log, layout({ encoding: 'gbk' })).rows)
      .filter((r) => r.includes('|'))
      .map(textColumn);
    expect(cols).toEqual([' ', '中', ' ', '文']);
    const utf16 = Buffer.from('ab中', 'utf16le');
    const log16 = logOf(stream('in', [utf16.subarray(0, 3), utf16.subarray(3)]));
    const rows16 = plain(visibleRows(log16, layout({ encoding: 'utf16le' })).rows);
    expect(textColumn(rows16[1])).toBe('a  ');
    expect(textColumn(rows16[3])).toBe('b中');
  });

  it('a chunk that ends with a byte that cannot begin a character keeps its dot', () => {
    const log = logOf(stream('in', [Buffer.from([0x61, 0xe4, 0x41]), Buffer.from([0xff])]));
    const rows = plain(visibleRows(log, layout()).rows);
    expect(textColumn(rows[1])).toBe('a.A');
    expect(textColumn(rows[3])).toBe('.');
  });

  it('the first row shown starts inside a character: blanks there, and the rest stays in step', () => {
    // 15 ASCII bytes, then GBK characters: 中 crosses from row 0 into row 1.
    const bytes = Buffer.concat([
      Buffer.from('abcdefghijklmno'),
      Buffer.from([0xd6, 0xd0, 0xce, 0xc4, 0xd6, 0xd0]),
    ]);
    const log = logOf([data(1, 'in', bytes)]);
    // Height 2: the header and row 0 scrolled away, only row 1 shown.
    const rows = plain(visibleRows(log, layout({ encoding: 'gbk', height: 1 })).rows);
    expect(textColumn(rows[0])).toBe(' 文中');
    const utf8 = Buffer.from('abcdefghijklmn世界');
    const log8 = logOf([data(1, 'in', utf8)]);
    expect(textColumn(plain(visibleRows(log8, layout({ height: 1 })).rows)[0])).toBe(' 界 ');
  });

  it('property: however the stream is cut, each character shows once, in order, in both views', () => {
    const cases = [
      { encoding: 'utf8', chars: ['a', 'é', '中', '😀', ' '] },
      { encoding: 'gbk', chars: ['a', '中', '文', 'é', ' '] },
      // BMP only: the codec's glyph decoder shows a UTF-16 surrogate pair as dots (also in `sockrepl decode`).
      { encoding: 'utf16le', chars: ['a', '中', 'é'] },
    ];
    for (const { encoding, chars } of cases) {
      fc.assert(
        fc.property(
          fc.array(fc.constantFrom(...chars), { minLength: 1, maxLength: 30 }),
          fc.array(fc.integer({ min: 1, max: 200 }), { maxLength: 8 }),
          (text, cuts) => {
            const bytes = iconv.encode(text.join(''), encoding);
            const points = [...new Set(cuts.map((c) => c % bytes.length))]
              .filter((c) => c > 0)
              .sort((a, b) => a - b);
            const parts = [0, ...points].map((at, i) => bytes.subarray(at, points[i] ?? bytes.length));
            const log = logOf(stream('in', parts));
            const all = layout({ encoding, height: 1000 });
            const hex = visibleRows(log, all)
              .rows.flatMap(
                (r) =>
                  r.segs
                    .map((s) => s.text)
                    .join('')
                    .match(/\|(.*)\|$/)?.[1] ?? [],
              )
              .join('');
            expect(hex.replace(/ /g, '')).toBe(text.join('').replace(/ /g, ''));
            const shown = plain(visibleRows(log, { ...all, view: 'text' }).rows)
              .filter((r) => r.startsWith('   '))
              .map((r) => r.slice(3))
              .join('');
            expect(shown).toBe(text.join(''));
          },
        ),
        { numRuns: 150 },
      );
    }
  });

  it('an encoding that is no character encoding (hex) shows latin1 instead of failing', () => {
    const log = logOf([data(1, 'in', Buffer.from([0x41, 0xe9]))]);
    expect(textColumn(plain(visibleRows(log, layout({ encoding: 'hex' })).rows)[1])).toBe('Aé');
    expect(plain(visibleRows(log, layout({ encoding: 'hex', view: 'text' })).rows)[1]).toBe('   Aé');
  });
});
