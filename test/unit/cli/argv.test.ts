import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { commandOptions } from '../../../src/cli/command-options.js';
import { normalizeArgv } from '../../../src/cli/normalize-argv.js';
import { addOptionFlags } from '../../../src/cli/option-flags.js';
import { chooseMode } from '../../../src/modes/choose-mode.js';
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
    expect(cli(normalizeArgv(['-x'])).hex).toBe(true);
  });

  it('leaves everything after -- alone', () => {
    expect(normalizeArgv(['run', '--', '-l'])).toEqual(['run', '--', '-l']);
  });
});

/** The options a command line gives, through the CLI's own flags and resolver. */
function cli(args: string[], command: 'connect' | 'listen' | 'proxy' | 'run' = 'connect') {
  const cmd = addOptionFlags(new Command().exitOverride(), command);
  cmd.parse(args, { from: 'user' });
  return commandOptions(cmd, command);
}

describe('command-line options', () => {
  it('maps flags onto the socket option table', () => {
    const o = cli([
      '--nodelay',
      '--keepalive',
      '30s',
      '--keepalive-interval',
      '5',
      '--keepalive-count',
      '3',
      '--linger',
      '0',
      '--rcvbuf',
      '64k',
      '--ttl',
      '9',
      '--tos',
      '0x10',
      '--reuseport',
    ]);
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
    expect(cli(['--keepalive=']).socket).toEqual({ keepalive: true });
    expect(cli(['--keepalive-idle', '20', '--keepalive']).socket).toEqual({
      keepalive: true,
      keepaliveIdle: 20,
    });
  });

  it('rejects contradictions and misfits with one clear line', () => {
    expect(() => cli(['-4', '-6'])).toThrow('-4 and -6 exclude each other');
    expect(() => cli(['--send-only', '--recv-only'])).toThrow(/exclude each other/);
    expect(() => cli(['-u', '--linger', '1'])).toThrow('--linger applies to TCP only, not with --udp');
    expect(() => cli(['--ttl', '0'])).toThrow('--ttl: 0 is out of range (1..255)');
    expect(() => cli(['--linger', '1.5s'])).toThrow(/whole number of seconds/);
    expect(() => cli(['-p', '70000'])).toThrow(/--source-port: 70000 is out of range/);
    expect(() => cli(['-k'], 'connect')).toThrow('--keep-open applies to listen and run, not connect');
    expect(() => cli(['-N'], 'proxy')).toThrow('proxy: --half-close: a proxy reads no standard input');
    expect(() => cli(['--record', 'x.srs'], 'run')).toThrow(/run: --record: a script is a recording already/);
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
        expect(cli([`--${name}`, text]).socket).toEqual({
          [spec.name]: value,
        });
      }
    }
    expect(cli(['--keepalive', '30']).socket).toEqual({
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
