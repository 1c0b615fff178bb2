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
