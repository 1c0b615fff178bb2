import type { OptionRow } from './option-types.js';

/** Transports named by an option rather than by host and port: unix domain sockets (-U). */
export const TRANSPORT_ROWS: readonly OptionRow[] = [
  {
    name: 'unix',
    short: 'U',
    takes: 'required',
    value: 'path',
    commands: ['connect', 'listen', 'proxy', 'run'],
    line: 'both',
    library: { on: 'both' },
    upstream: true,
    group: 'connection',
    summary: 'unix domain socket at path instead of host and port (@name: Linux abstract name)',
    set: (o, v) => {
      o.unix = String(v);
    },
    get: (o) => o.unix,
  },
];
