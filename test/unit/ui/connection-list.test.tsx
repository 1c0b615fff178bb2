import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { Session } from '../../../src/session/session.js';
import { ConnectionList } from '../../../src/ui/connection-list.js';

/** Just what the list reads of a listening session with `n` clients. */
function sessionWith(n: number): Session {
  const conns = new Map(
    Array.from({ length: n }, (_, i) => [
      i + 1,
      {
        id: i + 1,
        remote: { address: '127.0.0.1', port: 50000 + i, family: 'IPv4' },
        channel: { stats: { bytesIn: 0, bytesOut: 0 } },
      },
    ]),
  );
  return { conns, target: 'all' } as unknown as Session;
}

describe('the client list', () => {
  it('keeps to its rows: when not all clients fit, the last row says how many more', () => {
    const five = render(<ConnectionList session={sessionWith(5)} plain maxRows={5} />);
    expect(five.lastFrame()!.split('\n')).toHaveLength(5);
    const seven = render(<ConnectionList session={sessionWith(7)} plain maxRows={5} />);
    const lines = seven.lastFrame()!.split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[3]).toContain('#4');
    expect(lines[4]).toBe('  … 3 more');
  });
});
