import type { ConnectionOptions } from './connection-options.js';
import type { CommandName, OptionRow } from './option-types.js';

const ALL: readonly CommandName[] = ['connect', 'listen', 'proxy', 'run'];
const flag =
  (get: (o: Partial<ConnectionOptions>) => boolean | undefined) => (o: Partial<ConnectionOptions>) =>
    get(o) ? (true as const) : undefined;

/** Which addresses are used: one family only, and numeric addresses only (no DNS). */
export const ADDRESS_ROWS: OptionRow[] = [
  {
    name: 'ipv4',
    short: '4',
    takes: 'none',
    commands: ALL,
    line: 'both',
    group: 'connection',
    summary: 'IPv4 only',
    set: (o) => {
      o.family = 4;
    },
    get: flag((o) => o.family === 4),
  },
  {
    name: 'ipv6',
    short: '6',
    takes: 'none',
    commands: ALL,
    line: 'both',
    group: 'connection',
    summary: 'IPv6 only',
    set: (o) => {
      o.family = 6;
    },
    get: flag((o) => o.family === 6),
  },
  {
    // ncat's spelling (`--no-dns` would read to commander as the negation of a `--dns`).
    name: 'nodns',
    short: 'n',
    takes: 'none',
    commands: ALL,
    line: 'both',
    library: { on: 'both', key: 'noDns' },
    group: 'connection',
    summary: 'numeric addresses only: refuse host names, never look one up (netcat -n)',
    set: (o) => {
      o.noDns = true;
    },
    get: flag((o) => o.noDns),
  },
];
