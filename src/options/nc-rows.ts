import type { OptionRow } from './option-types.js';

/** netcat's own switches: -z (port check), -C (CRLF), -d (no standard input). */
export const NC_ROWS: readonly OptionRow[] = [
  {
    name: 'zero-io',
    short: 'z',
    aliases: ['scan'],
    takes: 'none',
    commands: ['connect'],
    group: 'connection',
    summary: 'port check: connect to each port (20-25,80,443), send nothing; -v says open/closed/filtered',
    set: (o) => {
      o.scan = true;
    },
  },
  {
    name: 'crlf',
    short: 'C',
    takes: 'none',
    commands: ['connect', 'listen'],
    group: 'pipe',
    summary: 'send LF from standard input (and typed lines) as CRLF',
    set: (o) => {
      o.crlf = true;
      o.eol = 'crlf';
    },
  },
  {
    // Not `no-stdin`: commander would read a --no-* flag as the negation of `stdin`.
    name: 'ignore-stdin',
    short: 'd',
    takes: 'none',
    commands: ['connect', 'listen'],
    group: 'pipe',
    summary: 'do not read standard input (nc -d; as --recv-only)',
    set: (o) => {
      o.recvOnly = true;
    },
  },
];
