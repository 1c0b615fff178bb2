import { describe, expect, it } from 'vitest';
import { OPTION_ROWS } from '../../../src/options/option-table.js';
import { lookupOptionWord, optionWordNames, resolveOptionWords } from '../../../src/options/option-words.js';

describe('connect/listen option words', () => {
  it('are rows of the one option vocabulary, as CLI flags are', () => {
    const names = new Set(OPTION_ROWS.map((r) => r.name));
    for (const name of [...optionWordNames('connect'), ...optionWordNames('listen')])
      expect(names.has(name), name).toBe(true);
  });

  it('resolve to the same options the CLI would produce', () => {
    const o = resolveOptionWords(
      [
        { name: 'nodelay' },
        { name: 'source-port', value: '40000' },
        { name: 'linger', value: '0' },
        { name: 'keepalive', value: '30' },
        { name: 'keepalive-count', value: '3' },
        { name: 'rcvbuf', value: '64k' },
        { name: 'wait', value: '2s' },
        { name: 'ipv6' },
      ],
      'connect',
    );
    expect(o.socket).toEqual({
      nodelay: true,
      linger: 0,
      keepalive: true,
      keepaliveIdle: 30,
      keepaliveCount: 3,
      rcvbuf: 65536,
    });
    expect(o.sourcePort).toBe(40000);
    expect(o.waitMs).toBe(2000);
    expect(o.family).toBe(6);
    expect(o.udp).toBe(false);
  });

  it('accept socket-table aliases and on/off for switches', () => {
    expect(lookupOptionWord('TCP_NODELAY')?.name).toBe('nodelay');
    expect(lookupOptionWord('--reuseaddr')?.name).toBe('reuseaddr');
    expect(lookupOptionWord('frame')).toBeUndefined();
    const o = resolveOptionWords(
      [
        { name: 'keepalive-idle', value: '20' },
        { name: 'keepalive' },
        { name: 'nodelay', value: 'off' },
        { name: 'udp', value: 'off' },
      ],
      'listen',
    );
    expect(o.udp).toBe(false);
    expect(o.socket).toEqual({ keepalive: true, keepaliveIdle: 20 });
    expect(resolveOptionWords([{ name: 'udp', value: 'on' }], 'listen').udp).toBe(true);
  });

  it('know listen-only options', () => {
    const o = resolveOptionWords(
      [{ name: 'keep-open' }, { name: 'max-clients', value: '3' }, { name: 'broker' }],
      'listen',
    );
    expect([o.keepOpen, o.maxClients, o.broker]).toEqual([true, 3, true]);
    expect(() => resolveOptionWords([{ name: 'broker' }], 'connect')).toThrow(
      "'broker' applies to listen only, not to connect",
    );
  });

  it('speak in script words in errors', () => {
    expect(() => resolveOptionWords([{ name: 'ttl', value: '300' }], 'connect')).toThrow(
      'ttl: 300 is out of range (1..255)',
    );
    expect(() => resolveOptionWords([{ name: 'nodelay', value: 'perhaps' }], 'connect')).toThrow(
      "nodelay: 'perhaps' is not on/off",
    );
    expect(() => resolveOptionWords([{ name: 'udp' }, { name: 'linger', value: '0' }], 'connect')).toThrow(
      'linger applies to TCP only, not with udp',
    );
  });
});
