import { isIP } from 'node:net';
import type { Endpoint } from '../net/channel.js';
import { describeArgv } from '../net/program.js';
import type { ConnectionOptions } from '../options/connection-options.js';

/** Loopback: 127.0.0.0/8, ::1, and IPv4 loopback mapped into IPv6. */
function isLoopback(address: string): boolean {
  const a = address.replace(/^::ffff:/i, '');
  return isIP(a) === 4 ? a.startsWith('127.') : a === '::1';
}

/**
 * `listen -e` on an address others can reach gives them the program: one line says who, unless
 * the listener is on loopback only. Undefined when there is nothing to warn about.
 */
export function execWarning(bound: Endpoint, o: ConnectionOptions): string | undefined {
  if (!o.exec || isLoopback(bound.address)) return undefined;
  const who =
    o.allow?.length || o.allowFiles?.length
      ? `clients allowed by ${[...(o.allow ?? []), ...(o.allowFiles ?? []).map((f) => `--allowfile ${f}`)].join(', ')}`
      : `anyone who can reach ${bound.address}:${bound.port}`;
  const what = o.pty ? `${describeArgv(o.exec.argv)} on a terminal` : describeArgv(o.exec.argv);
  return `warning: ${who} can now run ${what} on this machine (limit with --allow, or listen on 127.0.0.1)`;
}
