import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { commandOptions } from '../../../src/cli/command-options.js';
import { addOptionFlags } from '../../../src/cli/option-flags.js';
import { resolveLibraryOptions } from '../../../src/options/library-options.js';
import { resolveOptionWords } from '../../../src/options/option-words.js';

function cli(args: string[]) {
  const cmd = addOptionFlags(new Command().exitOverride(), 'listen');
  cmd.parse(args, { from: 'user' });
  return commandOptions(cmd, 'listen');
}

describe('--max-conns (ncat) and its alias --max-clients', () => {
  it('is taken under every name, as a flag, a script word and a library key', () => {
    expect(cli(['--max-conns', '3']).maxClients).toBe(3);
    expect(cli(['-m', '3']).maxClients).toBe(3);
    expect(cli(['--max-clients', '3']).maxClients).toBe(3);
    expect(resolveOptionWords([{ name: 'max-conns', value: '2' }], 'listen').maxClients).toBe(2);
    expect(resolveOptionWords([{ name: 'max-clients', value: '2' }], 'listen').maxClients).toBe(2);
    expect(resolveLibraryOptions({ maxConns: 4 }, 'listen').maxClients).toBe(4);
    expect(resolveLibraryOptions({ maxClients: 4 }, 'listen').maxClients).toBe(4);
  });

  it('accepts 0: every client is turned away', () => {
    expect(cli(['--max-conns', '0']).maxClients).toBe(0);
    expect(cli(['--max-clients', '0x0']).maxClients).toBe(0);
  });

  it('refuses what is not a count, naming the flag as written', () => {
    expect(() => cli(['--max-conns', '-1'])).toThrow(/--max-conns/);
    expect(() => cli(['--max-conns', 'many'])).toThrow(/--max-conns/);
  });
});
