import { describe, expect, it } from 'vitest';
import { resolveConnectionOptions } from '../../../src/cli/connection-options.js';
import { chooseMode } from '../../../src/cli/mode.js';
import { normalizeArgv } from '../../../src/cli/normalize-argv.js';
import { findSocketOption, parseOptionValue } from '../../../src/net/socket-options.js';

describe('normalizeArgv', () => {
  it('turns -l into the listen command, wherever it stands', () => {
    expect(normalizeArgv(['-l', '8888'])).toEqual(['listen', '8888']);
    expect(normalizeArgv(['-v', '-l', '127.0.0.1', '8888'])).toEqual(['listen', '-v', '127.0.0.1', '8888']);
    expect(normalizeArgv(['-k', '-l', '-p', '5', '8888'])).toEqual(['listen', '-k', '-p', '5', '8888']);
  });

  it('keeps a bare --keepalive from swallowing the host', () => {
    expect(normalizeArgv(['--keepalive', 'example.com', '80'])).toEqual([
      '--keepalive=',
      'example.com',
      '80',
    ]);
    expect(normalizeArgv(['--keepalive', '30', 'example.com', '80'])).toEqual([
      '--keepalive',
      '30',
      'example.com',
      '80',
    ]);
  });

  it('keeps -x from swallowing the host unless a file is named', () => {
    expect(normalizeArgv(['-x', '127.0.0.1', '80'])).toEqual(['--hex=', '127.0.0.1', '80']);
    expect(normalizeArgv(['-x', 'dump.txt', 'h', '80'])).toEqual(['-x', 'dump.txt', 'h', '80']);
    expect(normalizeArgv(['--hex', './d', 'h', '80'])).toEqual(['--hex', './d', 'h', '80']);
    expect(resolveConnectionOptions({ hex: '' }).hex).toBe(true);
  });

  it('leaves everything after -- alone', () => {
    expect(normalizeArgv(['run', '--', '-l'])).toEqual(['run', '--', '-l']);
  });
});

describe('resolveConnectionOptions', () => {
  it('maps flags onto the socket option table', () => {
    const o = resolveConnectionOptions({
      nodelay: true,
      keepalive: '30s',
      keepaliveInterval: '5',
      keepaliveCount: '3',
      linger: '0',
      rcvbuf: '64k',
      ttl: '9',
      tos: '16',
      reuseport: true,
    });
    expect(o.socket).toEqual({
      nodelay: true,
      keepalive: true,
      keepaliveIdle: 30,
      keepaliveInterval: 5,
      keepaliveCount: 3,
      linger: 0,
      rcvbuf: 65536,
      ttl: 9,
      tos: 16,
      reuseport: true,
    });
  });

  it('a bare --keepalive turns keepalive on without an idle time', () => {
    expect(resolveConnectionOptions({ keepalive: '' }).socket).toEqual({ keepalive: true });
  });

  it('rejects contradictions and misfits with one clear line', () => {
    expect(() => resolveConnectionOptions({ 4: true, 6: true })).toThrow('-4 and -6 exclude each other');
    expect(() => resolveConnectionOptions({ sendOnly: true, recvOnly: true })).toThrow(/exclude each other/);
    expect(() => resolveConnectionOptions({ udp: true, linger: '1' })).toThrow(
      '--linger applies to TCP only, not with --udp',
    );
    expect(() => resolveConnectionOptions({ ttl: '0' })).toThrow('--ttl: 0 is out of range (1..255)');
    expect(() => resolveConnectionOptions({ linger: '1.5s' })).toThrow(/whole number of seconds/);
    expect(() => resolveConnectionOptions({ sourcePort: '70000' })).toThrow(
      /--source-port: 70000 is out of range/,
    );
  });
});

describe('socket option values', () => {
  it('read the same on the command line and in /opt, scripts and --upstream-*', () => {
    const cases: [string, string, number | boolean][] = [
      ['linger', '2s', 2],
      ['linger', '0', 0],
      ['keepalive-interval', '1m', 60],
      ['rcvbuf', '64k', 65536],
      ['ttl', '64', 64],
      ['nodelay', 'on', true],
    ];
    for (const [name, text, value] of cases) {
      const spec = findSocketOption(name);
      expect(parseOptionValue(spec, text)).toBe(value);
      if (spec.kind !== 'bool') {
        expect(
          resolveConnectionOptions({ [name.replace(/-([a-z])/g, (_, c) => c.toUpperCase())]: text }).socket,
        ).toEqual({
          [spec.name]: value,
        });
      }
    }
    expect(resolveConnectionOptions({ keepalive: '30' }).socket).toEqual({
      keepalive: true,
      keepaliveIdle: 30,
    });
    expect(() => parseOptionValue(findSocketOption('ttl'), '0')).toThrow('ttl: 0 is out of range (1..255)');
    expect(() => parseOptionValue(findSocketOption('keepcnt'), '0')).toThrow(
      'keepalive-count: 0 is out of range (1..127)',
    );
    expect(() => parseOptionValue(findSocketOption('linger'), '1.5s', '--upstream-linger')).toThrow(
      "--upstream-linger: '1.5s' must be a whole number of seconds",
    );
  });
});

describe('chooseMode', () => {
  it('opens the screen only when both ends are terminals, unless told otherwise', () => {
    expect(chooseMode({ json: false, tui: undefined }, true, true)).toBe('tui');
    expect(chooseMode({ json: false, tui: undefined }, true, false)).toBe('pipe');
    expect(chooseMode({ json: false, tui: undefined }, false, true)).toBe('pipe');
    expect(chooseMode({ json: false, tui: false }, true, true)).toBe('pipe');
    expect(chooseMode({ json: false, tui: true }, false, false)).toBe('tui');
    expect(chooseMode({ json: true, tui: true }, true, true)).toBe('json');
  });
});
