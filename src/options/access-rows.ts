import type { ConnectionOptions } from './connection-options.js';
import type { CommandName, OptionRow } from './option-types.js';

/**
 * Which clients a listener accepts, as ncat says it: --allow/--deny take addresses, CIDR ranges,
 * `a.b.c.x-y` ranges and host names (comma-separated, repeatable); the -file forms read them from
 * files. Every listener takes them: listen (with or without -e), the proxy, a script's listen.
 */

const LISTENERS: readonly CommandName[] = ['listen', 'proxy', 'run'];
type ListKey = 'allow' | 'deny' | 'allowFiles' | 'denyFiles';

function listRow(name: string, key: ListKey, value: string, summary: string): OptionRow {
  return {
    name,
    takes: 'list',
    value,
    commands: LISTENERS,
    line: 'listen',
    library: { on: 'listen', key },
    group: 'listen',
    summary,
    set: (o: ConnectionOptions, v) => {
      // A new array: a copied ConnectionOptions must never share it with its original.
      o[key] = [...(o[key] ?? []), String(v)];
    },
    get: (o) => (o[key]?.length ? o[key].join(',') : undefined),
  };
}

export const ACCESS_ROWS: OptionRow[] = [
  listRow('allow', 'allow', 'hosts', 'accept only these clients: addresses, CIDR ranges, host names (ncat)'),
  listRow('deny', 'deny', 'hosts', 'refuse these clients (wins over --allow)'),
  listRow('allowfile', 'allowFiles', 'file', 'accept only the clients listed in a file'),
  listRow('denyfile', 'denyFiles', 'file', 'refuse the clients listed in a file'),
];
